/**
 * The resumable state of a weight-training run in one safetensors file: every parameter and both AdamW
 * moments as float32 tensors (`param/…`, `exp_avg/…`, `exp_avg_sq/…`), and in the metadata the step, the
 * recipe key it belongs to, the loss history and the seconds spent training so far. Written atomically, so an interrupted run keeps the last
 * complete checkpoint.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { SafetensorsFile } from '../../sd/weights/safetensorsFile';
import { writeSafetensors, type SafetensorsEntry } from '../../sd/weights/safetensorsWriter';
import type { Parameter } from './parameterGradientGraph';
import type { WeightOptimizer } from './weightOptimizer';

export const WEIGHT_CHECKPOINT_FORMAT = 'inversion-studio/weight-training-checkpoint';

const metadataSchema = z.object({
  format: z.literal(WEIGHT_CHECKPOINT_FORMAT),
  recipe: z.string(),
  step: z.coerce.number().int().nonnegative(),
  losses: z.string(),
  /** Seconds of training up to this step, across resumes (absent in checkpoints written before it was kept). */
  seconds: z.coerce.number().nonnegative().optional(),
});

/** A checkpoint read back: the step, the losses so far, and tensors by name. */
export interface WeightCheckpoint {
  readonly recipe: string;
  readonly step: number;
  readonly losses: number[];
  /** Seconds of training up to `step`; undefined when the checkpoint did not record it. */
  readonly seconds: number | undefined;
  readonly params: Map<string, Float32Array>;
  readonly moments: Map<string, { expAvg: Float32Array; expAvgSq: Float32Array }>;
}

/**
 * Writes parameters, optimizer moments, step, losses and `seconds` (training time so far; undefined when
 * unknown) atomically to `file`.
 */
export async function saveWeightCheckpoint(
  file: string,
  recipe: string,
  parameters: ReadonlyMap<string, Parameter>,
  optimizer: WeightOptimizer,
  losses: readonly number[],
  seconds?: number,
): Promise<void> {
  const entries: SafetensorsEntry[] = [];
  for (const [name, p] of parameters) {
    const state = optimizer.stateOf(name);
    entries.push({ name: `param/${name}`, dtype: 'F32', shape: p.dims, data: p.data });
    entries.push({ name: `exp_avg/${name}`, dtype: 'F32', shape: p.dims, data: state.expAvg });
    entries.push({ name: `exp_avg_sq/${name}`, dtype: 'F32', shape: p.dims, data: state.expAvgSq });
  }
  await writeSafetensors(file, entries, {
    format: WEIGHT_CHECKPOINT_FORMAT,
    recipe,
    step: String(optimizer.step),
    losses: JSON.stringify(losses),
    ...(seconds === undefined ? {} : { seconds: seconds.toFixed(3) }),
  });
}

/** Reads a checkpoint; throws naming the file and the fix when it is not one of `recipe`. */
export function loadWeightCheckpoint(file: string, recipe: string): WeightCheckpoint {
  if (!fs.existsSync(file)) throw new Error(`no weight checkpoint at ${file}; start without resume`);
  const st = SafetensorsFile.open(file);
  try {
    const meta = metadataSchema.safeParse(st.metadata);
    if (!meta.success)
      throw new Error(`${file} is not a weight-training checkpoint of this studio; delete it to start over`);
    if (meta.data.recipe !== recipe)
      throw new Error(
        `${file} belongs to recipe "${meta.data.recipe}", not "${recipe}": the model or training settings changed; delete it to start over`,
      );
    const params = new Map<string, Float32Array>();
    const moments = new Map<string, { expAvg: Float32Array; expAvgSq: Float32Array }>();
    for (const tensor of st.names()) {
      if (!tensor.startsWith('param/')) continue;
      const name = tensor.slice('param/'.length);
      params.set(name, st.readFloat32(tensor));
      moments.set(name, {
        expAvg: st.readFloat32(`exp_avg/${name}`),
        expAvgSq: st.readFloat32(`exp_avg_sq/${name}`),
      });
    }
    const losses = z.array(z.number()).parse(JSON.parse(meta.data.losses));
    return { recipe, step: meta.data.step, losses, seconds: meta.data.seconds, params, moments };
  } finally {
    st.close();
  }
}

/** Puts a checkpoint's values into the live parameters and optimizer. */
export function restoreWeightCheckpoint(
  checkpoint: WeightCheckpoint,
  parameters: ReadonlyMap<string, Parameter>,
  optimizer: WeightOptimizer,
): void {
  for (const [name, p] of parameters) {
    const saved = checkpoint.params.get(name);
    if (!saved || saved.length !== p.data.length)
      throw new Error(
        `checkpoint of recipe "${checkpoint.recipe}" lacks parameter "${name}" of ${p.data.length} values; delete it to start over`,
      );
    p.data.set(saved);
  }
  optimizer.restore(checkpoint.step, checkpoint.moments);
}
