/**
 * Explicit configs for single-file checkpoints whose architecture the shape rules cannot pin down (e.g. tiny
 * models with non-standard head counts, or an SD 2.x 768-v model's prediction type). They come, in rising
 * priority, from the checkpoint's safetensors metadata (`inversion_studio.configs`, written by our own
 * tiny-model maker), a sidecar `<name>.configs.json` next to the checkpoint, or the caller. Each holds raw
 * diffusers config objects per component and is merged over the inferred config.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { clipTextConfigSchema } from './clipConfigs';
import { parseConfig } from './configFiles';
import { schedulerConfigSchema, unetConfigSchema, vaeConfigSchema } from './diffusersConfigs';
import type { ModelConfigs } from './modelWeights';

/** safetensors metadata key holding a JSON `ConfigOverrides` object. */
export const CONFIGS_METADATA_KEY = 'inversion_studio.configs';

const rawConfig = z.record(z.string(), z.unknown());

/** Raw diffusers config objects per component (any subset of fields). */
export const configOverridesSchema = z.object({
  unet: rawConfig.optional(),
  vae: rawConfig.optional(),
  text_encoder: rawConfig.optional(),
  scheduler: rawConfig.optional(),
});
export type ConfigOverrides = z.infer<typeof configOverridesSchema>;

/** Path of the sidecar config file for a checkpoint (`x.safetensors` → `x.configs.json`). */
export function sidecarConfigPath(checkpoint: string): string {
  return checkpoint.replace(/\.(safetensors|ckpt)$/i, '') + '.configs.json';
}

/** Overrides from the metadata, the sidecar file and the caller, merged (later wins), with their origins. */
export function collectOverrides(
  checkpoint: string,
  metadata: Readonly<Record<string, string>>,
  explicit?: ConfigOverrides,
): { overrides: ConfigOverrides; sources: string[] } {
  const found: Array<[string, ConfigOverrides]> = [];
  const fromMetadata = metadata[CONFIGS_METADATA_KEY];
  if (fromMetadata !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(fromMetadata);
    } catch {
      throw new Error(
        `${checkpoint}: metadata "${CONFIGS_METADATA_KEY}" is not valid JSON; save the checkpoint again`,
      );
    }
    found.push([
      'checkpoint metadata',
      parseConfig(configOverridesSchema, value, `${checkpoint} metadata "${CONFIGS_METADATA_KEY}"`),
    ]);
  }
  const sidecar = sidecarConfigPath(checkpoint);
  if (fs.existsSync(sidecar)) {
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(sidecar, 'utf8'));
    } catch (error) {
      throw new Error(`${sidecar}: not valid JSON (${(error as Error).message}); fix or remove the file`);
    }
    found.push([`sidecar ${sidecar}`, parseConfig(configOverridesSchema, value, sidecar)]);
  }
  if (explicit) found.push(['caller', explicit]);
  const overrides: ConfigOverrides = {};
  for (const [, o] of found) {
    for (const part of ['unet', 'vae', 'text_encoder', 'scheduler'] as const) {
      if (o[part]) overrides[part] = { ...overrides[part], ...o[part] };
    }
  }
  return { overrides, sources: found.map(([source]) => source) };
}

/** `inferred` with each component's override fields on top, re-validated. */
export function applyOverrides(
  inferred: ModelConfigs,
  overrides: ConfigOverrides,
  source: string,
): ModelConfigs {
  return {
    unet: parseConfig(unetConfigSchema, { ...inferred.unet, ...overrides.unet }, `${source} unet config`),
    vae: parseConfig(vaeConfigSchema, { ...inferred.vae, ...overrides.vae }, `${source} vae config`),
    textEncoder: parseConfig(
      clipTextConfigSchema,
      { ...inferred.textEncoder, ...overrides.text_encoder },
      `${source} text_encoder config`,
    ),
    scheduler: parseConfig(
      schedulerConfigSchema,
      { ...inferred.scheduler, ...overrides.scheduler },
      `${source} scheduler config`,
    ),
  };
}

/** Whether an override settles an unresolved `component.field` entry. */
export function overrideSettles(overrides: ConfigOverrides, entry: string): boolean {
  const [component, field] = entry.split('.') as [keyof ConfigOverrides, string];
  const given = overrides[component];
  if (!given) return false;
  if (field === 'attention_head_dim')
    return given.attention_head_dim != null || given.num_attention_heads != null;
  return given[field] != null;
}
