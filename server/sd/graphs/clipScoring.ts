/**
 * The scoring CLIP (transformers `CLIPModel`) as two graphs, so many images can be scored against one prompt:
 * text ids → L2-normalised `text_embeds`, and normalised pixels → L2-normalised `image_embeds`. Cosine
 * similarity is their dot product; logits multiply it by exp(logit_scale), returned with the graphs.
 */
import { GraphBuilder } from '../../onnx/graphBuilder';
import { finishGraph, type BuiltGraph } from './builtGraph';
import { clipStack, positionRows } from './clipTransformer';
import { textTower } from './clipTextEncoder';
import type { ClipModelConfig } from './configTypes';
import { ints, layerNorm, linear, sliceShape, type ModelBuild } from './layers';
import { WeightBinder, type WeightReader } from './weightBinder';

/** A built CLIP tower. */
export interface ClipTowerGraph extends BuiltGraph {
  /** exp(logit_scale): logits = scale · cosine similarity. */
  readonly logitScale: number;
}

/** Text tower + text_projection: input `input_ids` [T, sequence] (int32, or `idsType`); output `text_embeds` [T, projection_dim], unit length. */
export function buildClipTextEmbedder(
  config: ClipModelConfig,
  weights: WeightReader,
  options: { idsType?: 'int32' | 'int64' } = {},
): ClipTowerGraph {
  const g = new GraphBuilder({ name: 'clip_text' });
  const w = new WeightBinder(g, weights, 'clip text tower');
  const b: ModelBuild = { g, w };
  const tower = textTower(b, config.text_config, { idsType: options.idsType ?? 'int32' });
  const projected = linear(
    b,
    tower.pooled!,
    'text_projection',
    config.text_config.hidden_size,
    config.projection_dim,
    { bias: false },
  );
  g.output(l2Normalize(b, projected), 'float32', ['batch', config.projection_dim], 'text_embeds');
  return finish(b, 'text_embeds');
}

/**
 * Vision tower + visual_projection: input `pixel_values` [I, 3, image_size, image_size], already resized and
 * normalised with CLIP's mean/std; output `image_embeds` [I, projection_dim], unit length.
 */
export function buildClipImageEmbedder(config: ClipModelConfig, weights: WeightReader): ClipTowerGraph {
  const g = new GraphBuilder({ name: 'clip_vision' });
  const w = new WeightBinder(g, weights, 'clip vision tower');
  const b: ModelBuild = { g, w };
  const v = config.vision_config;
  const hidden = v.hidden_size;
  const channels = v.num_channels ?? 3;
  const grid = v.image_size / v.patch_size;
  if (!Number.isInteger(grid))
    throw new Error(
      `clip vision config: image_size ${v.image_size} is not a multiple of patch_size ${v.patch_size}`,
    );
  const pixels = g.input('pixel_values', 'float32', ['batch', channels, v.image_size, v.image_size]);

  const patches = g.op(
    'Conv',
    [
      pixels,
      w.tensor('vision_model.embeddings.patch_embedding.weight', [
        hidden,
        channels,
        v.patch_size,
        v.patch_size,
      ]),
    ],
    {
      kernel_shape: [v.patch_size, v.patch_size],
      strides: [v.patch_size, v.patch_size],
    },
  );
  const patchTokens = g.op('Transpose', [g.op('Reshape', [patches, ints(g, [0, hidden, -1])])], {
    perm: [0, 2, 1],
  });
  const batch = sliceShape(g, g.op('Shape', [pixels]), 0, 1);
  const classShape = g.op('Concat', [batch, ints(g, [1, hidden])], { axis: 0 });
  const classToken = g.op('Expand', [
    g.op('Reshape', [w.tensor('vision_model.embeddings.class_embedding', [hidden]), ints(g, [1, 1, hidden])]),
    classShape,
  ]);
  const tokens = g.op('Concat', [classToken, patchTokens], { axis: 1 });
  const positions = w.tensor('vision_model.embeddings.position_embedding.weight', [grid * grid + 1, hidden]);
  const embedded = g.op('Add', [tokens, positionRows(b, positions, tokens)]);

  const states = clipStack(b, layerNorm(b, embedded, 'vision_model.pre_layrnorm', hidden, v.layer_norm_eps), {
    hidden,
    heads: v.num_attention_heads,
    intermediate: v.intermediate_size,
    act: v.hidden_act,
    eps: v.layer_norm_eps,
    layers: v.num_hidden_layers,
    prefix: 'vision_model.encoder',
  });
  const cls = g.op('Gather', [states, g.constant([0], [], 'int64', 'cls_index')], { axis: 1 });
  const pooled = layerNorm(b, cls, 'vision_model.post_layernorm', hidden, v.layer_norm_eps);
  const projected = linear(b, pooled, 'visual_projection', hidden, config.projection_dim, { bias: false });
  g.output(l2Normalize(b, projected), 'float32', ['batch', config.projection_dim], 'image_embeds');
  return finish(b, 'image_embeds');
}

/** x / ‖x‖₂ over the last axis. */
function l2Normalize(b: ModelBuild, x: string): string {
  return b.g.op('Div', [x, b.g.op('ReduceL2', [x], { axes: [-1], keepdims: 1 })]);
}

function finish(b: ModelBuild, output: string): ClipTowerGraph {
  const logitScale = Math.exp(b.w.read('logit_scale', [])[0]!);
  return { ...finishGraph(b, [output]), logitScale };
}
