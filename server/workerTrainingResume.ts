/**
 * Training prompts in queue mode: the checkpoint folders a prompt's trainers use (mirrored from the
 * server before it runs), and the retry rule: when a worker was lost mid-training, the next worker
 * resumes every trainer from the last checkpoint the lost one uploaded instead of starting over.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { textualInversionTrainer, trainingFolder } from '../nodes/training/textualInversionTrainer';
import type { ApiPrompt } from '../protocol/wireSchemas';

function trainerTokens(prompt: ApiPrompt): [id: string, token: string][] {
  return Object.entries(prompt)
    .filter(([, node]) => node.class_type === textualInversionTrainer.type)
    .filter(([, node]) => typeof node.inputs.token === 'string')
    .map(([id, node]) => [id, String(node.inputs.token)]);
}

/** output/ folders (relative, forward slashes) of the training runs in `prompt`. */
export function trainingFoldersOf(prompt: ApiPrompt, outputDir: string): string[] {
  return trainerTokens(prompt).map(([, token]) =>
    path.relative(outputDir, trainingFolder(outputDir, token)).split(path.sep).join('/'),
  );
}

/** `prompt` with `resume: true` on each trainer whose checkpoint is there (a retry after a lost worker). */
export async function resumeTrainersFromCheckpoints(
  prompt: ApiPrompt,
  outputDir: string,
): Promise<ApiPrompt> {
  const resumed: ApiPrompt = { ...prompt };
  for (const [id, token] of trainerTokens(prompt)) {
    const checkpoint = path.join(trainingFolder(outputDir, token), 'checkpoint.json');
    if (!(await stat(checkpoint).catch(() => null))) continue;
    resumed[id] = { ...prompt[id], inputs: { ...prompt[id].inputs, resume: true } };
  }
  return resumed;
}
