/**
 * Hook: work the studio (and `npm run workflow`) does once at startup, before it accepts prompts. The tasks
 * are composed here, where the server is assembled (as nodes/index.ts lists the nodes); the modules they call
 * (sd/tiny, training/) know nothing of startup. Tasks run in order; a task that throws stops startup with its
 * message.
 */
import path from 'node:path';
import type { ExecutionProvider, StudioDirs } from './engine/nodeDefinition';
import { repoRoot, type StudioLogger } from './config';
import { ensureTinyModels } from './sd/tiny/tinyModels';
import { installToyModels } from './training/toy/toyModelFiles';
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

/** The committed models folder of the repo, where the embedded toy models ship. */
export const SHIPPED_MODELS_DIR = path.join(repoRoot, 'models');

/**
 * "make the embedded toy models available": they are committed in the repo's models/; a studio on another
 * models folder gets a copy of any file it lacks.
 */
export const toyModelsStartupTask: StartupTask = {
  name: 'embedded toy models',
  run: async ({ dirs, log }) => {
    const copied = await installToyModels(dirs.models, SHIPPED_MODELS_DIR);
    if (copied.length > 0)
      log.info(`copied the embedded toy models into ${dirs.models}: ${copied.join(', ')}`);
  },
};

/**
 * "create the random tiny models if missing" (SD 1.x checkpoint with its tokenizer, scoring CLIP): test
 * fixtures, not part of the default startup; tests that need them pass this task.
 */
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

/** Run in order at start-up: the embedded toy models, then the example images the shipped workflows train on. */
export const startupTasks: StartupTask[] = [toyModelsStartupTask, exampleTrainingImagesStartupTask];

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
