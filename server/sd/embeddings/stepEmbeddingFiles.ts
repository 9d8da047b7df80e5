/**
 * The per-step embeddings a training run keeps beside its checkpoint, named as diffusers'
 * textual_inversion.py `--save_steps` names them (`learned_embeds-steps-{N}.safetensors`), so a run's
 * saved steps can be compared afterwards (the checkpoint-curve node) or loaded like any embedding file.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const STEP_FILE = /^learned_embeds-steps-(\d+)\.safetensors$/;

/** One saved step: the optimizer step and its file. */
export interface StepEmbeddingFile {
  readonly step: number;
  readonly file: string;
}

/** `learned_embeds-steps-{step}.safetensors`. */
export function stepEmbeddingFileName(step: number): string {
  if (!Number.isSafeInteger(step) || step < 0) throw new Error(`step ${step} is not a whole step count`);
  return `learned_embeds-steps-${step}.safetensors`;
}

/** The step a per-step file name holds, or undefined for any other name. */
export function stepOfEmbeddingFileName(name: string): number | undefined {
  const match = STEP_FILE.exec(name);
  return match ? Number.parseInt(match[1]!, 10) : undefined;
}

/** The per-step files in `folder`, sorted by step (empty when the folder is missing). */
export async function listStepEmbeddingFiles(folder: string): Promise<StepEmbeddingFile[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return names
    .flatMap((name) => {
      const step = stepOfEmbeddingFileName(name);
      return step === undefined ? [] : [{ step, file: path.join(folder, name) }];
    })
    .sort((a, b) => a.step - b.step);
}

/** Deletes the per-step files of steps after `step` (left by an earlier run in the same folder). */
export async function removeStepEmbeddingFilesAfter(folder: string, step: number): Promise<void> {
  for (const saved of await listStepEmbeddingFiles(folder)) {
    if (saved.step > step) await rm(saved.file, { force: true });
  }
}
