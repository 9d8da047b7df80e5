/**
 * The resumable state of a training run in one JSON file (float32 values survive JSON exactly): settings,
 * what the run was trained on (model and image fingerprints, placeholder ids), the rows and AdamW moments,
 * the step, the generator and image-order positions, and the loss history. Written atomically.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../../storage/atomicWrite';
import { batchSamplerStateSchema } from './batchSampler';
import { embeddingTrainerStateSchema } from './embeddingTrainer';
import { trainerConfigSchema } from './trainerConfig';
import { trainingRngStateSchema } from './trainingRng';

export const CHECKPOINT_FORMAT = 'inversion-studio/textual-inversion-checkpoint';

export const trainingCheckpointSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(1),
  config: trainerConfigSchema,
  modelFingerprint: z.string(),
  /** The model files' fingerprint (TrainableModel.weightsFingerprint); absent in older checkpoints. */
  weightsFingerprint: z.string().optional(),
  datasetFingerprint: z.string(),
  placeholder: z.object({
    token: z.string(),
    names: z.array(z.string()),
    ids: z.array(z.number().int()),
    initializerId: z.number().int(),
  }),
  trainer: embeddingTrainerStateSchema,
  rng: trainingRngStateSchema,
  sampler: batchSamplerStateSchema,
  /** Mean loss of every optimizer step so far. */
  losses: z.array(z.number()),
  savedAt: z.string(),
});
export type TrainingCheckpoint = z.infer<typeof trainingCheckpointSchema>;

/** Writes a checkpoint atomically (readers see the old or the new file, never a torn one). */
export async function saveTrainingCheckpoint(file: string, checkpoint: TrainingCheckpoint): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(checkpoint)}\n`);
}

/** Reads a checkpoint; throws naming the file and the fix when it is missing or not a checkpoint. */
export function loadTrainingCheckpoint(file: string): TrainingCheckpoint {
  if (!fs.existsSync(file)) {
    throw new Error(`no training checkpoint at ${file} to resume from; turn resume off to start a new run`);
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `training checkpoint ${file} is not valid JSON (${(error as Error).message}); delete it or turn resume off`,
    );
  }
  const parsed = trainingCheckpointSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(
      `${file} is not a textual-inversion checkpoint of this studio (${problems.join('; ')}); delete it or turn resume off`,
    );
  }
  return parsed.data;
}
