/**
 * Whether a checkpoint may be resumed by this run: same settings (a longer run is fine), same placeholder
 * ids, same training images and the same model (its token-embedding table and, where both runs know it, the
 * model files' fingerprint). Each refusal names what changed and the fix. A new run may not overwrite the
 * checkpoint of a run on another model either: its saved steps would be lost.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { resumeConflicts, type TrainerConfig } from './trainerConfig';
import { loadTrainingCheckpoint, type TrainingCheckpoint } from './trainingCheckpoint';
import type { TrainableModel } from './trainableModel';

/** SHA-256 of the token-embedding table: identifies the text encoder a run trained against. */
export function tableFingerprint(models: TrainableModel): string {
  const { data, dims } = models.tokenTable;
  return createHash('sha256')
    .update(dims.join('x'))
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');
}

/** Loads `file` and checks its settings and placeholder ids against this run's. */
export function checkpointForResume(
  file: string | undefined,
  config: TrainerConfig,
  placeholderIds: readonly number[],
): TrainingCheckpoint {
  if (!file) throw new Error('resume needs a checkpoint file; none was given');
  const checkpoint = loadTrainingCheckpoint(file);
  const conflicts = resumeConflicts(checkpoint.config, config);
  if (checkpoint.placeholder.ids.join(',') !== placeholderIds.join(',')) {
    conflicts.push(
      `placeholder ids: ${checkpoint.placeholder.ids.join(',')} → ${placeholderIds.join(',')} (another tokenizer?)`,
    );
  }
  if (conflicts.length) {
    throw new Error(
      `cannot resume from ${file}: settings differ (${conflicts.join('; ')}); restore them or turn resume off`,
    );
  }
  return checkpoint;
}

/** What a run trained against: the token table, the model files (when known) and the captioned images. */
export interface RunFingerprints {
  readonly model: string;
  readonly weights?: string;
  readonly dataset: string;
}

/** Why `checkpoint` belongs to another model than `now`'s, or undefined when it does not. */
function otherModel(
  checkpoint: TrainingCheckpoint,
  now: Omit<RunFingerprints, 'dataset'>,
): string | undefined {
  if (checkpoint.modelFingerprint !== now.model) return 'its token embeddings differ';
  if (checkpoint.weightsFingerprint && now.weights && checkpoint.weightsFingerprint !== now.weights)
    return 'its model files differ';
  return undefined;
}

/** Throws unless the checkpoint was trained on the same images and model. */
export function assertSameTrainingData(
  checkpoint: TrainingCheckpoint,
  file: string,
  now: RunFingerprints,
): void {
  const model = otherModel(checkpoint, now);
  if (model) {
    throw new Error(
      `cannot resume from ${file}: it was trained on another model (${model}); resume with that model, or train another token`,
    );
  }
  if (checkpoint.datasetFingerprint !== now.dataset) {
    throw new Error(
      `cannot resume from ${file}: the training images or their captions differ from the checkpoint’s; turn resume off to start a new run`,
    );
  }
}

/**
 * Throws when a new (not resumed) run would overwrite `file`, the checkpoint of a run of the same token on
 * another model: that run's saved steps live beside it. A checkpoint of the same model is a restart and may
 * be overwritten; a missing or unreadable one is left to the run (it overwrites it, as before).
 */
export function assertNotAnotherModelsRun(file: string, now: Omit<RunFingerprints, 'dataset'>): void {
  let checkpoint: TrainingCheckpoint;
  try {
    checkpoint = loadTrainingCheckpoint(file);
  } catch {
    return;
  }
  const model = otherModel(checkpoint, now);
  if (!model) return;
  throw new Error(
    `${path.dirname(file)} holds a run of "${checkpoint.placeholder.token}" on another model ` +
      `(step ${checkpoint.trainer.optimizerStep}: ${model}); a new run would overwrite its saved steps: ` +
      'train another token, or move that folder away (or delete it) first',
  );
}
