/**
 * Whether a checkpoint may be resumed by this run: same settings (a longer run is fine), same placeholder
 * ids, same training images and the same model (its token-embedding table). Each refusal names what
 * changed and the fix.
 */
import { createHash } from 'node:crypto';
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

/** Throws unless the checkpoint was trained on the same images and model. */
export function assertSameTrainingData(
  checkpoint: TrainingCheckpoint,
  file: string,
  now: { readonly model: string; readonly dataset: string },
): void {
  const problems = [
    ...(checkpoint.datasetFingerprint !== now.dataset
      ? ['the training images or their captions differ from the checkpoint’s']
      : []),
    ...(checkpoint.modelFingerprint !== now.model
      ? ['the model’s token embeddings differ (another checkpoint model?)']
      : []),
  ];
  if (problems.length) {
    throw new Error(`cannot resume from ${file}: ${problems.join('; ')}; turn resume off to start a new run`);
  }
}
