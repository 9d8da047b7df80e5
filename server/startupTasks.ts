/**
 * Hook: work the studio (and `npm run workflow`) does once at startup, before it accepts prompts. The tasks
 * are composed here, where the server is assembled (as nodes/index.ts lists the nodes); the modules they call
 * (sd/tiny, training/) know nothing of startup. Tasks run in order; a task that throws stops startup with its
 * message.
 */
import path from 'node:path';
import type { ExecutionProvider, StudioDirs } from './engine/nodeDefinition';
import type { StudioLogger } from './config';
import { ensureTinyModels } from './sd/tiny/tinyModels';
import {
  EXAMPLE_IMAGES_FOLDER,
  ensureExampleTrainingImages,
} from './training/textualInversion/exampleImages';

export interface StartupContext {
  dirs: StudioDirs;
  executionProvider: ExecutionProvider;
  log: StudioLogger;
}

export interface StartupTask {
  name: string;
  run(ctx: StartupContext): Promise<void>;
}

/** "create the embedded tiny models if missing" (SD 1.x checkpoint with its tokenizer, scoring CLIP). */
export const tinyModelsStartupTask: StartupTask = {
  name: 'embedded tiny models',
  run: async ({ dirs, log }) => {
    const start = performance.now();
    const { created } = await ensureTinyModels(dirs.models);
    if (created.length > 0) {
      log.info(
        `created the embedded tiny models in ${Math.round(performance.now() - start)} ms: ${created.join(', ')}`,
      );
    }
  },
};

/** "create the example training images if missing". */
export const exampleTrainingImagesStartupTask: StartupTask = {
  name: 'example training images',
  run: async ({ dirs, log }) => {
    const written = await ensureExampleTrainingImages(dirs.input);
    if (written.length > 0)
      log.info(
        `created ${written.length} example training images in ${path.join(dirs.input, EXAMPLE_IMAGES_FOLDER)}`,
      );
  },
};

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
