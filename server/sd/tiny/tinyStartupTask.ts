/**
 * The startup task that makes the embedded tiny SD 1.x checkpoint (with its tokenizer) and the tiny scoring
 * CLIP when they are missing, so the default workflows run on a fresh install. Existing files are kept.
 */
import type { StartupTask } from '../../startupTasks';
import { ensureTinyModels } from './tinyModels';

/** "create the embedded tiny models if missing". */
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
