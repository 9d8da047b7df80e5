/**
 * The dataset's single-file checkpoint (ldm keys, float16) read through our key map equals, key by key via
 * checkpoint_keymap.json, the float16-rounded weights of its diffusers folder; configs inferred from the
 * checkpoint's shapes equal the folder's config.json where shapes decide them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDiffusersFolder } from '../../server/sd/weights/diffusersFolder';
import { inferLdmConfigs } from '../../server/sd/weights/inferConfigs';
import { openLdmCheckpoint } from '../../server/sd/weights/ldmCheckpoint';
import { IGNORED, LdmKeyMap, type Component } from '../../server/sd/weights/ldmKeyMap';
import { ldmLayoutFromNames } from '../../server/sd/weights/ldmLayout';
import type { ModelWeights } from '../../server/sd/weights/modelWeights';
import { familyFromLdmKeys } from '../../server/sd/weights/modelFamily';
import { SafetensorsFile } from '../../server/sd/weights/safetensorsFile';
import { float16ToFloat32, float32ToFloat16 } from '../../server/sd/weights/tensorDtypes';
import type { WeightSource } from '../../server/sd/weights/weightSource';
import { checkpointKeymap, datasetConfigs, datasetName, datasetPath } from '../support/referenceData';

const keymap = checkpointKeymap();
const configs = datasetConfigs();

const folder = openDiffusersFolder(datasetPath('model'));
const checkpoint = openLdmCheckpoint(datasetPath('checkpoint.safetensors'), { configs });
const stored = SafetensorsFile.open(datasetPath('checkpoint.safetensors'));
afterAll(() => {
  folder.close();
  checkpoint.close();
  stored.close();
});

const part = (model: ModelWeights, component: Component): WeightSource =>
  component === 'unet' ? model.unet : component === 'vae' ? model.vae : model.textEncoder;

function splitTarget(target: string): [Component, string] {
  const slash = target.indexOf('/');
  return [target.slice(0, slash) as Component, target.slice(slash + 1)];
}

describe(`single-file checkpoint key map (${datasetName})`, () => {
  const map = new LdmKeyMap(ldmLayoutFromNames(stored.names(), checkpoint.family));

  it('maps every checkpoint key exactly as checkpoint_keymap.json says', () => {
    const keys = Object.keys(keymap);
    expect(keys.sort()).toEqual([...stored.names()].sort());
    for (const [ldm, expected] of Object.entries(keymap)) {
      const actual = map.toDiffusers(ldm);
      if (expected === null) {
        expect(actual, ldm).toBe(IGNORED);
        continue;
      }
      const targets = Array.isArray(expected) ? expected : [expected];
      expect(Array.isArray(actual), ldm).toBe(true);
      expect(
        (actual as Array<{ component: string; key: string }>).map((t) => `${t.component}/${t.key}`),
        ldm,
      ).toEqual(targets);
    }
  });

  it('yields exactly the float16-rounded diffusers weights for every mapped key', () => {
    let compared = 0;
    let values = 0;
    let maxAbs = 0;
    let worstRelative = 0;
    for (const expected of Object.values(keymap)) {
      if (expected === null) continue;
      for (const target of Array.isArray(expected) ? expected : [expected]) {
        const [component, key] = splitTarget(target);
        const fromCheckpoint = part(checkpoint, component);
        const reference = part(folder, component).read(key);
        expect(fromCheckpoint.shape(key), target).toEqual(part(folder, component).shape(key));
        expect(fromCheckpoint.dtype(key)).toBe('F16');
        const loaded = fromCheckpoint.read(key);
        const rounded = float16ToFloat32(float32ToFloat16(reference));
        expect(
          Buffer.compare(
            Buffer.from(loaded.buffer, loaded.byteOffset, loaded.byteLength),
            Buffer.from(rounded.buffer),
          ),
          target,
        ).toBe(0);
        for (let i = 0; i < reference.length; i++) {
          const diff = Math.abs(loaded[i]! - reference[i]!);
          maxAbs = Math.max(maxAbs, diff);
          // nearest rounding to float16: at most half an ulp (2^-11 relative), or 2^-25 in the subnormal range
          worstRelative = Math.max(
            worstRelative,
            diff / Math.max(Math.abs(reference[i]!) * 2 ** -11, 2 ** -25),
          );
        }
        compared++;
        values += reference.length;
      }
    }
    console.info(
      `[checkpoint ${datasetName}] ${compared} weights, ${values} values: max |fp16 checkpoint − fp32 diffusers| = ${maxAbs.toExponential(3)}`,
    );
    expect(compared).toBe(
      folder.unet.names().length + folder.vae.names().length + folder.textEncoder.names().length,
    );
    expect(maxAbs).toBeGreaterThan(0);
    expect(worstRelative).toBeLessThanOrEqual(1);
  });

  it('exposes the same weight names as the diffusers folder', () => {
    for (const component of ['unet', 'vae', 'text_encoder'] as const) {
      expect(part(checkpoint, component).names()).toEqual(part(folder, component).names());
    }
  });

  it('tells the family from the keys as the configs do', () => {
    expect(checkpoint.family).toBe(folder.family);
    expect(familyFromLdmKeys(stored.names()).family).toBe(folder.family);
  });

  it('infers the diffusers configs from tensor shapes where shapes decide them', () => {
    const inferred = inferLdmConfigs(stored, map, folder.predictionType);
    const { unet, vae, textEncoder } = folder.configs;
    const pick = <T extends object>(o: T, keys: ReadonlyArray<keyof T>) =>
      Object.fromEntries(keys.map((k) => [k, o[k]]));
    const unetFields = [
      'in_channels',
      'out_channels',
      'block_out_channels',
      'layers_per_block',
      'down_block_types',
      'up_block_types',
      'mid_block_type',
      'cross_attention_dim',
      'use_linear_projection',
      'transformer_layers_per_block',
      'norm_num_groups',
      'norm_eps',
      'flip_sin_to_cos',
      'freq_shift',
      'conv_in_kernel',
      'conv_out_kernel',
    ] as const;
    const vaeFields = [
      'in_channels',
      'out_channels',
      'latent_channels',
      'block_out_channels',
      'layers_per_block',
      'down_block_types',
      'up_block_types',
      'norm_num_groups',
      'scaling_factor',
    ] as const;
    const textFields = [
      'vocab_size',
      'hidden_size',
      'intermediate_size',
      'num_hidden_layers',
      'max_position_embeddings',
      'hidden_act',
      'layer_norm_eps',
      'bos_token_id',
      'eos_token_id',
      'pad_token_id',
    ] as const;
    expect(pick(inferred.configs.unet, unetFields)).toEqual(pick(unet, unetFields));
    expect(pick(inferred.configs.vae, vaeFields)).toEqual(pick(vae, vaeFields));
    expect(pick(inferred.configs.textEncoder, textFields)).toEqual(pick(textEncoder, textFields));
    // head counts are not in any shape: family defaults apply to real widths, tiny widths are reported
    for (const entry of inferred.unresolved)
      expect(['unet.attention_head_dim', 'text_encoder.num_attention_heads']).toContain(entry);
    if (!inferred.unresolved.includes('unet.attention_head_dim'))
      expect(inferred.configs.unet.attention_head_dim).toEqual(unet.attention_head_dim);
    if (!inferred.unresolved.includes('text_encoder.num_attention_heads')) {
      expect(inferred.configs.textEncoder.num_attention_heads).toBe(textEncoder.num_attention_heads);
    }
  });

  it('takes configs given by the caller over inferred ones', () => {
    expect(checkpoint.configs.unet.attention_head_dim).toEqual(folder.configs.unet.attention_head_dim);
    expect(checkpoint.configs.textEncoder.num_attention_heads).toBe(
      folder.configs.textEncoder.num_attention_heads,
    );
    expect(checkpoint.predictionType).toBe(folder.predictionType);
    expect(checkpoint.configSource).toBe('inferred from tensor shapes, overridden by caller');
  });
});
