import { describe, expect, it } from 'vitest';
import { inferLdmConfigs } from './inferConfigs';
import { LdmKeyMap } from './ldmKeyMap';
import { ldmLayoutFromNames } from './ldmLayout';
import type { ModelConfigs } from './modelWeights';
import { familyFromLdmKeys } from './modelFamily';
import { ldmShapeIndex, SD15, SD21 } from './realSizeFixtures.test-support';

function infer(index: ReturnType<typeof ldmShapeIndex>, prediction: 'epsilon' | 'v_prediction' = 'epsilon') {
  const { family } = familyFromLdmKeys(index.names());
  return inferLdmConfigs(index, new LdmKeyMap(ldmLayoutFromNames(index.names(), family)), prediction);
}

const UNET_FIELDS = [
  'in_channels',
  'out_channels',
  'block_out_channels',
  'layers_per_block',
  'down_block_types',
  'up_block_types',
  'mid_block_type',
  'cross_attention_dim',
  'attention_head_dim',
  'use_linear_projection',
  'transformer_layers_per_block',
  'norm_num_groups',
  'flip_sin_to_cos',
  'freq_shift',
] as const;
const VAE_FIELDS = [
  'in_channels',
  'out_channels',
  'latent_channels',
  'block_out_channels',
  'layers_per_block',
  'scaling_factor',
] as const;
const TEXT_FIELDS = [
  'vocab_size',
  'hidden_size',
  'intermediate_size',
  'num_hidden_layers',
  'num_attention_heads',
  'max_position_embeddings',
  'hidden_act',
] as const;

function expectFields(actual: ModelConfigs, expected: ModelConfigs): void {
  for (const f of UNET_FIELDS) expect(actual.unet[f], `unet.${f}`).toEqual(expected.unet[f]);
  for (const f of VAE_FIELDS) expect(actual.vae[f], `vae.${f}`).toEqual(expected.vae[f]);
  for (const f of TEXT_FIELDS)
    expect(actual.textEncoder[f], `text_encoder.${f}`).toEqual(expected.textEncoder[f]);
}

describe('config inference for full-size checkpoints', () => {
  it('recovers SD 1.5 from tensor shapes alone', () => {
    const result = infer(ldmShapeIndex('sd1', SD15));
    expect(result.unresolved).toEqual([]);
    expectFields(result.configs, SD15);
    expect(result.configs.textEncoder).toMatchObject({
      bos_token_id: 49406,
      eos_token_id: 49407,
      pad_token_id: 49407,
    });
    expect(result.configs.scheduler.prediction_type).toBe('epsilon');
  });

  it('recovers SD 2.1 (24-block OpenCLIP tower → 23 layers, heads of 64 channels)', () => {
    const result = infer(ldmShapeIndex('sd2', SD21), 'v_prediction');
    expect(result.unresolved).toEqual([]);
    expectFields(result.configs, SD21);
    expect(result.configs.unet.sample_size).toBe(96);
    expect(result.configs.textEncoder.pad_token_id).toBe(0);
    expect(result.configs.scheduler.prediction_type).toBe('v_prediction');
  });

  it('infers SD 2.x inpainting input channels from conv_in', () => {
    const index = ldmShapeIndex('sd2', SD21, {
      'model.diffusion_model.input_blocks.0.0.weight': [320, 9, 3, 3],
    });
    expect(infer(index).configs.unet.in_channels).toBe(9);
  });

  it('lists head counts as unresolved for widths no real model has', () => {
    const tiny: ModelConfigs = {
      ...SD15,
      unet: {
        ...SD15.unet,
        block_out_channels: [32, 64],
        down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D'],
        up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D'],
        cross_attention_dim: 48,
      },
      textEncoder: { ...SD15.textEncoder, hidden_size: 48, num_hidden_layers: 2 },
    };
    const result = infer(ldmShapeIndex('sd1', tiny));
    expect(result.unresolved).toEqual(['unet.attention_head_dim', 'text_encoder.num_attention_heads']);
    expect(result.configs.unet.block_out_channels).toEqual([32, 64]);
    expect(result.configs.textEncoder.num_hidden_layers).toBe(2);
  });
});
