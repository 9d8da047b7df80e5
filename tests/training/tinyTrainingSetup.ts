/**
 * Shared setup of the training tests: the studio's embedded tiny SD models (made in a temp models folder,
 * opened through the studio's own loader) and a small deterministic image batch.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createImage, type ImageTensor } from '../../server/image/imageIO';
import { frozenLatentEncoder } from '../../server/training/textualInversion/latentEncoder';
import type { TrainerConfigInput } from '../../server/training/textualInversion/trainerConfig';
import { trainableModelFromFrozen } from '../../server/training/textualInversion/trainableModel';
import { TrainingRun, type TrainingRunOptions } from '../../server/training/textualInversion/trainingRun';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { ensureTinyModels, tinyCheckpointPath } from '../../server/sd/tiny/tinyModels';
import type { ModelFamily } from '../../server/sd/weights/modelFamily';

/** A temp folder for the test file (removed by the OS; tests never write beside the dataset). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

let modelsDir: Promise<string> | undefined;
const models = new Map<ModelFamily, Promise<FrozenModel>>();

/** The embedded tiny checkpoint of `family` (SD 1.x: epsilon; SD 2.x: v-prediction) as a `FrozenModel`. */
export function tinyModel(family: ModelFamily = 'sd1'): Promise<FrozenModel> {
  modelsDir ??= (async () => {
    const dir = tempDir('ti-models');
    await ensureTinyModels(dir, { families: ['sd1', 'sd2'], clip: false, demoEmbedding: false });
    return dir;
  })();
  let model = models.get(family);
  if (!model) {
    model = modelsDir.then((dir) =>
      loadFrozenModel(tinyCheckpointPath(dir, family), { modelsDir: dir, provider: 'cpu' }),
    );
    models.set(family, model);
  }
  return model;
}

/** `count` smooth deterministic RGB images of `height` × `width` (not square: the trainer crops). */
export function testImages(count: number, height = 140, width = 128): ImageTensor {
  const images = createImage(count, height, width, 3);
  for (let i = 0; i < images.data.length; i++)
    images.data[i] = 0.5 + 0.4 * Math.sin(i * 0.013 + Math.floor(i / (height * width * 3)));
  return images;
}

/** Settings of the tests' runs; override what a test varies. */
export function testConfig(overrides: Partial<TrainerConfigInput> = {}): TrainerConfigInput {
  return {
    placeholderToken: '<cat-toy>',
    initializerToken: 'cat',
    numVectors: 2,
    template: 'object',
    steps: 30,
    learningRate: 2e-2,
    batchSize: 2,
    resolution: 128,
    seed: 7,
    ...overrides,
  };
}

/** A prepared run on the tiny model. */
export async function prepareRun(
  config: TrainerConfigInput,
  options: Partial<
    Pick<TrainingRunOptions, 'checkpointFile' | 'resume' | 'images' | 'stepEmbeddingsFolder'>
  > & {
    family?: ModelFamily;
  } = {},
): Promise<TrainingRun> {
  const frozen = await tinyModel(options.family);
  return TrainingRun.prepare({
    models: trainableModelFromFrozen(frozen),
    tokenizer: frozen.newTokenizer(),
    encoder: frozenLatentEncoder(frozen),
    images: options.images ?? testImages(3),
    schedulerConfig: frozen.schedulerConfig,
    config,
    checkpointFile: options.checkpointFile,
    stepEmbeddingsFolder: options.stepEmbeddingsFolder,
    resume: options.resume,
    provider: 'cpu',
  });
}
