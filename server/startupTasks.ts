/**
 * Hook: work the studio (and `npm run workflow`) does once at startup, before it accepts prompts.
 * Later features add entries here, e.g. "create the embedded tiny model if missing". Tasks run in order;
 * a task that throws stops startup with its message.
 */
import type { ExecutionProvider, StudioDirs } from './engine/nodeDefinition';
import type { StudioLogger } from './config';
import { tinyModelsStartupTask } from './sd/tiny/tinyStartupTask';
import { exampleTrainingImagesStartupTask } from './training/textualInversion/exampleImages';

export interface StartupContext {
  dirs: StudioDirs;
  executionProvider: ExecutionProvider;
  log: StudioLogger;
}

export interface StartupTask {
  name: string;
  run(ctx: StartupContext): Promise<void>;
}

/** Run in order at start-up: the embedded tiny models, then the example images the shipped workflows train on. */
export const startupTasks: StartupTask[] = [tinyModelsStartupTask, exampleTrainingImagesStartupTask];

export async function runStartupTasks(
  ctx: StartupContext,
  tasks: readonly StartupTask[] = startupTasks,
): Promise<void> {
  for (const task of tasks) {
    try {
      await task.run(ctx);
    } catch (err) {
      throw new Error(
        `startup task "${task.name}" failed: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  }
}
