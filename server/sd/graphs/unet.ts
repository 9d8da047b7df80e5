/**
 * diffusers UNet2DConditionModel (the SD 1.x / 2.x variant) as ONNX: sinusoidal time embedding, conv_in,
 * down blocks with skip outputs, the cross-attention mid block, up blocks that concatenate the skips, and
 * the output head. Per-block settings come from the config exactly as diffusers 0.21 resolves them.
 */
import { GraphBuilder } from '../../onnx/graphBuilder';
import { finishGraph, type BuiltGraph } from './builtGraph';
import { attentionOpsets, type AttentionKernel } from './attention';
import type { UNetConfig } from './configTypes';
import { activation, conv2d, groupNorm, ints, linear, sliceShape, type ModelBuild } from './layers';
import { downsample, resnetBlock, upsample } from './resnet';
import { spatialTransformer } from './spatialTransformer';
import { resolveUNetBlocks } from './unetConfig';
import { WeightBinder, type WeightReader } from './weightBinder';

/** A built UNet: inputs `sample` [B, C, h, w], `timestep` ([B] or a scalar, float32), `encoder_hidden_states`; output `out_sample`. */
export interface UNetGraph extends BuiltGraph {
  /** Latent height/width must be multiples of this (2^number of downsamplers). */
  readonly sizeMultiple: number;
}

export interface UNetOptions {
  /** Attention kernel (default `standard`; `fused` for inference-only graphs, see `AttentionKernel`). */
  readonly attention?: AttentionKernel;
}

/** Builds the UNet graph from its diffusers config and weights (diffusers key names). */
export function buildUNet(config: UNetConfig, weights: WeightReader, options: UNetOptions = {}): UNetGraph {
  const blocks = resolveUNetBlocks(config);
  const g = new GraphBuilder({ name: 'unet' });
  const w = new WeightBinder(g, weights, 'unet');
  const b: ModelBuild = { g, w };
  const ch = config.block_out_channels;
  const sample = g.input('sample', 'float32', ['batch', config.in_channels, 'height', 'width']);
  // no shape: a scalar timestep is accepted as well as one per batch row
  const timestep = g.input('timestep', 'float32');
  const contextWidth =
    typeof config.cross_attention_dim === 'number' ? config.cross_attention_dim : 'context_width';
  const context = g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', contextWidth]);

  const temb = timeEmbedding(b, sample, timestep, config);
  const tembActivated = { tensor: activation(g, temb, blocks.act), channels: ch[0]! * 4 };
  const resnet = (x: string, key: string, inChannels: number, outChannels: number, outputScale = 1) =>
    resnetBlock(b, x, key, {
      inChannels,
      outChannels,
      groups: config.norm_num_groups,
      eps: config.norm_eps,
      act: blocks.act,
      temb: tembActivated,
      outputScale,
    });
  const transformer = (x: string, key: string, channels: number, index: number) =>
    spatialTransformer(b, x, key, {
      channels,
      heads: blocks.heads[index]!,
      headDim: channels / blocks.heads[index]!,
      contextDim: blocks.crossAttentionDim[index]!,
      groups: config.norm_num_groups,
      useLinearProjection: config.use_linear_projection ?? false,
      layers: blocks.transformerLayers[index]!,
      context,
      kernel: options.attention,
    });

  let h = sample;
  if (config.center_input_sample) h = g.op('Sub', [g.op('Mul', [h, g.scalar(2)]), g.scalar(1)]);
  h = conv2d(b, h, 'conv_in', config.in_channels, ch[0]!, { kernel: config.conv_in_kernel ?? 3 });
  const skips: string[] = [h];
  const n = ch.length;
  for (let i = 0; i < n; i++) {
    const outChannels = ch[i]!;
    for (let j = 0; j < blocks.layers[i]!; j++) {
      h = resnet(
        h,
        `down_blocks.${i}.resnets.${j}`,
        j === 0 ? ch[Math.max(i - 1, 0)]! : outChannels,
        outChannels,
      );
      if (blocks.downAttention[i]) h = transformer(h, `down_blocks.${i}.attentions.${j}`, outChannels, i);
      skips.push(h);
    }
    if (i < n - 1) {
      h = downsample(b, h, `down_blocks.${i}.downsamplers.0`, outChannels, config.downsample_padding ?? 1);
      skips.push(h);
    }
  }

  const midScale = config.mid_block_scale_factor ?? 1;
  h = resnet(h, 'mid_block.resnets.0', ch[n - 1]!, ch[n - 1]!, midScale);
  for (let k = 0; k < blocks.midAttentions; k++) {
    h = transformer(h, `mid_block.attentions.${k}`, ch[n - 1]!, n - 1);
    h = resnet(h, `mid_block.resnets.${k + 1}`, ch[n - 1]!, ch[n - 1]!, midScale);
  }

  let outChannels = ch[n - 1]!;
  for (let i = 0; i < n; i++) {
    const block = n - 1 - i; // the down block this up block mirrors
    const prevOut = outChannels;
    outChannels = ch[block]!;
    const inChannels = ch[Math.max(block - 1, 0)]!;
    const layers = blocks.layers[block]! + 1;
    for (let j = 0; j < layers; j++) {
      const skip = skips.pop()!;
      const skipChannels = j === layers - 1 ? inChannels : outChannels;
      h = g.op('Concat', [h, skip], { axis: 1 });
      h = resnet(
        h,
        `up_blocks.${i}.resnets.${j}`,
        (j === 0 ? prevOut : outChannels) + skipChannels,
        outChannels,
      );
      if (blocks.upAttention[i]) h = transformer(h, `up_blocks.${i}.attentions.${j}`, outChannels, block);
    }
    if (i < n - 1) h = upsample(b, h, `up_blocks.${i}.upsamplers.0`, outChannels);
  }

  h = activation(
    g,
    groupNorm(b, h, 'conv_norm_out', ch[0]!, config.norm_num_groups, config.norm_eps),
    blocks.act,
  );
  h = conv2d(b, h, 'conv_out', ch[0]!, config.out_channels, { kernel: config.conv_out_kernel ?? 3 });
  g.output(h, 'float32', ['batch', config.out_channels, 'height', 'width'], 'out_sample');
  return {
    ...finishGraph(b, ['out_sample'], attentionOpsets(options.attention)),
    sizeMultiple: 2 ** (n - 1),
  };
}

/**
 * diffusers `Timesteps` + `TimestepEmbedding`: t·freqs → [sin, cos] (or [cos, sin] with flip_sin_to_cos),
 * then linear_1 → act → linear_2. The timestep (scalar or [B]) is broadcast to the batch of `sample`.
 */
function timeEmbedding(b: ModelBuild, sample: string, timestep: string, config: UNetConfig): string {
  const g = b.g;
  const dim = config.block_out_channels[0]!;
  const half = dim / 2;
  const batch = sliceShape(g, g.op('Shape', [sample]), 0, 1);
  const t = g.op('Expand', [g.op('Reshape', [timestep, ints(g, [-1])]), batch]);
  const freqs = sinusoidFrequencies(half, config.freq_shift);
  const angles = g.op('Mul', [
    g.op('Reshape', [t, ints(g, [-1, 1])]),
    g.constant(freqs, [1, half], 'float32', 'time_freqs'),
  ]);
  const sin = g.op('Sin', [angles]);
  const cos = g.op('Cos', [angles]);
  const embedding = g.op('Concat', config.flip_sin_to_cos ? [cos, sin] : [sin, cos], { axis: 1 });
  const timeDim = dim * 4;
  const hidden = activation(
    g,
    linear(b, embedding, 'time_embedding.linear_1', dim, timeDim),
    config.act_fn ?? 'silu',
  );
  return linear(b, hidden, 'time_embedding.linear_2', timeDim, timeDim);
}

/** exp(-ln(10000)·i / (half - shift)), rounded at each step to float32 as torch computes it. */
export function sinusoidFrequencies(half: number, freqShift: number): Float32Array {
  const logPeriod = Math.fround(-Math.log(10000));
  return Float32Array.from({ length: half }, (_, i) =>
    Math.fround(Math.exp(Math.fround(Math.fround(logPeriod * i) / (half - freqShift)))),
  );
}
