/**
 * Builder checks without golden data: for several configs, the builders read exactly the parameters that the
 * independent shape tables of server/sd/weights list, the graphs run at non-square and odd batch sizes, and
 * broken weights fail with one message listing every bad key.
 */
import { describe, expect, it } from 'vitest';
import { createSession, ort } from '../../onnx/sessions';
import { clipModelConfigSchema, clipTextConfigSchema } from '../weights/clipConfigs';
import { unetConfigSchema, vaeConfigSchema } from '../weights/diffusersConfigs';
import {
  clipModelParameterShapes,
  clipTextParameterShapes,
  unetParameterShapes,
  vaeParameterShapes,
  type ShapeTable,
} from '../weights/parameterShapes';
import { MemoryWeightSource } from '../weights/weightSource';
import {
  buildClipImageEmbedder,
  buildClipTextEmbedder,
  buildTextEncoder,
  buildUNet,
  buildVaeDecoder,
  buildVaeEncoder,
} from '.';

/** Deterministic small weights for every entry of a shape table (norm weights near 1). */
function weightsFor(table: ShapeTable, label: string): MemoryWeightSource {
  let seed = 7;
  const tensors = new Map(
    [...table].map(([name, shape]) => {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      const base = /norm.*\.weight$/.test(name) ? 1 : 0;
      for (let i = 0; i < data.length; i++) {
        seed = (seed * 48271) % 2147483647;
        data[i] = base + (seed / 2147483647 - 0.5) * 0.2;
      }
      return [name, { shape, data }] as const;
    }),
  );
  return new MemoryWeightSource(label, tensors);
}

const tinyUNet = {
  block_out_channels: [8, 16],
  down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D'],
  up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D'],
  norm_num_groups: 4,
  cross_attention_dim: 12,
};

const unetCases = [
  {
    name: 'SD 1.x style (conv projections, one head count)',
    config: { ...tinyUNet, attention_head_dim: 2, layers_per_block: 1 },
  },
  {
    name: 'SD 2.x style (linear projections, heads per block, 2 layers and 2 transformer blocks)',
    config: {
      ...tinyUNet,
      attention_head_dim: [2, 4],
      use_linear_projection: true,
      layers_per_block: 2,
      transformer_layers_per_block: 2,
    },
  },
];

function finite(tensor: ort.Tensor | undefined): boolean {
  return tensor !== undefined && Array.from(tensor.data as Float32Array).every(Number.isFinite);
}

describe('graph builders against the weight shape tables', () => {
  it.each(unetCases)(
    'UNet $name reads every parameter and runs at batch 3, 8x12 latents',
    async ({ config: raw }) => {
      const config = unetConfigSchema.parse(raw);
      const table = unetParameterShapes(config);
      const graph = buildUNet(config, weightsFor(table, 'unet'));
      expect(graph.weightKeys).toEqual([...table.keys()].sort());
      const session = await createSession(graph.model, { provider: 'cpu' });
      const out = await session.run({
        sample: new ort.Tensor('float32', new Float32Array(3 * 4 * 8 * 12).fill(0.3), [3, 4, 8, 12]),
        timestep: new ort.Tensor('float32', Float32Array.of(10, 500, 999), [3]),
        encoder_hidden_states: new ort.Tensor('float32', new Float32Array(3 * 5 * 12).fill(0.1), [3, 5, 12]),
      });
      expect(out.out_sample!.dims).toEqual([3, 4, 8, 12]);
      expect(finite(out.out_sample)).toBe(true);
      await session.release();
    },
  );

  it('VAE encoder + decoder read every parameter once and map 16x24 images to 8x12 latents and back', async () => {
    const config = vaeConfigSchema.parse({
      block_out_channels: [8, 16],
      down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D'],
      up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D'],
      norm_num_groups: 4,
      layers_per_block: 2,
    });
    const table = vaeParameterShapes(config);
    const weights = weightsFor(table, 'vae');
    const encoder = buildVaeEncoder(config, weights);
    const decoder = buildVaeDecoder(config, weights);
    expect([...encoder.weightKeys, ...decoder.weightKeys].sort()).toEqual([...table.keys()].sort());
    const image = new ort.Tensor('float32', new Float32Array(2 * 3 * 16 * 24).fill(-0.2), [2, 3, 16, 24]);
    const moments = await (await createSession(encoder.model, { provider: 'cpu' })).run({ sample: image });
    expect(moments.latent_mean!.dims).toEqual([2, 4, 8, 12]);
    const decoded = await (
      await createSession(decoder.model, { provider: 'cpu' })
    ).run({ latent_sample: moments.latent_mean! });
    expect(decoded.sample!.dims).toEqual([2, 3, 16, 24]);
    expect(finite(decoded.sample)).toBe(true);
  });

  it('text encoder and scoring CLIP read every parameter', () => {
    const text = clipTextConfigSchema.parse({
      vocab_size: 50,
      hidden_size: 16,
      intermediate_size: 24,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      eos_token_id: 49,
    });
    const textTable = clipTextParameterShapes(text);
    expect(buildTextEncoder(text, weightsFor(textTable, 'text')).weightKeys).toEqual(
      [...textTable.keys()].sort(),
    );
    const clip = clipModelConfigSchema.parse({
      projection_dim: 8,
      text_config: {
        vocab_size: 50,
        hidden_size: 16,
        intermediate_size: 24,
        num_hidden_layers: 1,
        num_attention_heads: 2,
      },
      vision_config: {
        hidden_size: 16,
        intermediate_size: 24,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        image_size: 16,
        patch_size: 8,
      },
    });
    const clipTable = clipModelParameterShapes(clip);
    const weights = weightsFor(clipTable, 'clip');
    const keys = new Set([
      ...buildClipTextEmbedder(clip, weights).weightKeys,
      ...buildClipImageEmbedder(clip, weights).weightKeys,
    ]);
    expect([...keys].sort()).toEqual([...clipTable.keys()].sort());
  });

  it('lists every missing and mis-shaped weight in one error', () => {
    const config = unetConfigSchema.parse(unetCases[0]!.config);
    const table = unetParameterShapes(config);
    table.delete('conv_in.bias');
    table.delete('mid_block.attentions.0.proj_out.weight');
    table.set('time_embedding.linear_1.weight', [3, 3]);
    const message = (() => {
      try {
        buildUNet(config, weightsFor(table, 'unet'));
        return 'built';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/^unet: 3 weight problem\(s\)/);
    expect(message).toContain('missing "conv_in.bias" (expected [8])');
    expect(message).toContain('missing "mid_block.attentions.0.proj_out.weight" (expected [16, 16, 1, 1])');
    expect(message).toContain('"time_embedding.linear_1.weight" has shape [3, 3], expected [32, 8]');
  });

  it('refuses UNet variants it does not implement, naming the field', () => {
    const config = unetConfigSchema.parse({ ...unetCases[0]!.config, class_embed_type: 'timestep' });
    expect(() => buildUNet(config, weightsFor(new Map(), 'unet'))).toThrow(/class_embed_type "timestep"/);
  });
});
