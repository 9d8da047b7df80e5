import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clipTextConfigSchema } from './clipConfigs';
import { CONFIGS_METADATA_KEY, sidecarConfigPath } from './configOverrides';
import {
  SD_SCHEDULER_DEFAULTS,
  schedulerConfigSchema,
  unetConfigSchema,
  vaeConfigSchema,
} from './diffusersConfigs';
import { writeLdmCheckpoint } from './ldmCheckpointWriter';
import { loadCheckpoint } from './loadCheckpoint';
import type { ModelConfigs } from './modelWeights';
import {
  clipTextParameterShapes,
  unetParameterShapes,
  vaeParameterShapes,
  type ShapeTable,
} from './parameterShapes';
import { SafetensorsFile } from './safetensorsFile';
import { writeSafetensors } from './safetensorsWriter';
import { MemoryWeightSource, type MemoryTensor } from './weightSource';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ldm-checkpoint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A narrow SD 2.x-shaped model with SD 2.x's real block layout (2 ResNets per level, 12 output blocks). */
const configs: ModelConfigs = {
  unet: unetConfigSchema.parse({
    block_out_channels: [32, 32, 32, 32],
    layers_per_block: 2,
    cross_attention_dim: 16,
    attention_head_dim: [2, 2, 2, 2],
    use_linear_projection: true,
  }),
  vae: vaeConfigSchema.parse({
    block_out_channels: [32, 32],
    down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D'],
    up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D'],
  }),
  textEncoder: clipTextConfigSchema.parse({
    vocab_size: 50,
    hidden_size: 16,
    intermediate_size: 20,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    max_position_embeddings: 8,
    hidden_act: 'gelu',
    bos_token_id: 48,
    eos_token_id: 49,
    pad_token_id: 0,
  }),
  scheduler: schedulerConfigSchema.parse(SD_SCHEDULER_DEFAULTS),
};

const PROBE = 'up_blocks.3.attentions.2.transformer_blocks.0.norm1.bias';

function memory(label: string, table: ShapeTable, probeStd?: number): MemoryWeightSource {
  let seed = 12345;
  const tensors = new Map<string, MemoryTensor>();
  for (const [name, shape] of table) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed / 2 ** 31 - 0.5) * 0.1;
    });
    if (name === PROBE && probeStd !== undefined)
      data.forEach((_, i) => (data[i] = i % 2 ? probeStd : -probeStd));
    tensors.set(name, { shape, data });
  }
  return new MemoryWeightSource(label, tensors);
}

async function writeModel(file: string, probeStd: number, metadata?: Record<string, string>): Promise<void> {
  await writeLdmCheckpoint(
    file,
    {
      family: 'sd2',
      configs,
      unet: memory('unet', unetParameterShapes(configs.unet), probeStd),
      vae: memory('vae', vaeParameterShapes(configs.vae)),
      textEncoder: memory('text', clipTextParameterShapes(configs.textEncoder)),
    },
    { metadata },
  );
}

describe('single-file checkpoints with the full SD 2.x block layout', () => {
  it('writes an ldm file that reads back value for value through the key map', async () => {
    const file = path.join(dir, 'narrow.safetensors');
    await writeModel(file, 0.01);
    const st = SafetensorsFile.open(file);
    expect(st.has('model.diffusion_model.output_blocks.11.1.transformer_blocks.0.norm1.bias')).toBe(true);
    expect(st.has('model.diffusion_model.output_blocks.8.2.conv.weight')).toBe(true);
    expect(st.shape('cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight')).toEqual([48, 16]);
    // the unused last OpenCLIP block is present, as in real SD 2.x files
    expect(st.has('cond_stage_model.model.transformer.resblocks.1.ln_1.weight')).toBe(true);
    st.close();
    const model = loadCheckpoint(file);
    const text = memory('text', clipTextParameterShapes(configs.textEncoder));
    for (const name of text.names())
      expect([...model.textEncoder.read(name)], name).toEqual([...text.read(name)]);
    expect(model.unet.names()).toEqual([...unetParameterShapes(configs.unet).keys()].sort());
    expect(model.configs.unet.layers_per_block).toBe(2);
    model.close();
  });

  it.each([
    [0.2, 'v_prediction'],
    [0.05, 'epsilon'],
  ] as const)('tells v-prediction from the std of %s of the probe norm bias → %s', async (std, expected) => {
    const file = path.join(dir, `probe-${std}.safetensors`);
    const overrides = { unet: configs.unet, text_encoder: configs.textEncoder, vae: configs.vae };
    await writeModel(file, std, { [CONFIGS_METADATA_KEY]: JSON.stringify(overrides) });
    const model = loadCheckpoint(file);
    expect(model.predictionType).toBe(expected);
    expect(
      model.assumptions.some((a) => a.startsWith(`prediction_type ${expected}: std ${std.toFixed(4)}`)),
    ).toBe(true);
    model.close();
  });

  it('takes a sidecar <name>.configs.json over the metadata', async () => {
    const file = path.join(dir, 'sidecar.safetensors');
    const inMetadata = {
      unet: configs.unet,
      vae: configs.vae,
      text_encoder: configs.textEncoder,
      scheduler: { prediction_type: 'v_prediction' },
    };
    await writeModel(file, 0.05, { [CONFIGS_METADATA_KEY]: JSON.stringify(inMetadata) });
    const fromMetadata = loadCheckpoint(file);
    expect(fromMetadata.predictionType).toBe('v_prediction');
    fromMetadata.close();
    fs.writeFileSync(sidecarConfigPath(file), JSON.stringify({ scheduler: { prediction_type: 'epsilon' } }));
    const model = loadCheckpoint(file);
    expect(model.predictionType).toBe('epsilon');
    expect(model.configSource).toBe(
      `inferred from tensor shapes, overridden by checkpoint metadata, sidecar ${sidecarConfigPath(file)}`,
    );
    model.close();
  });

  it('refuses a checkpoint without a text encoder, naming what it looked for', async () => {
    const file = path.join(dir, 'unet-only.safetensors');
    await writeSafetensors(file, [
      { name: 'model.diffusion_model.out.2.bias', dtype: 'F32', shape: [4], data: new Float32Array(4) },
    ]);
    expect(() => loadCheckpoint(file)).toThrow(
      /has no text encoder \(no "cond_stage_model\.transformer\.\*" or "cond_stage_model\.model\.\*" keys\)/,
    );
  });
});
