/**
 * The mission measured on the shipped toy model: textual inversion learns a word for the world's unnamed
 * shape from the five example renders, and the world's oracle (plus the toy scoring CLIP) tells how often
 * samples show it, against the initializer word alone. Shared by the learning test and `bench ti-learning`.
 */
import path from 'node:path';
import type { ImageTensor } from '../../server/image/imageIO';
import { repoRoot } from '../../server/config';
import { ClipScorer } from '../../server/scoring/clipScorer';
import { imageAt, sampleImages } from '../../server/scoring/toyWorldEvaluation';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { encodePrompt } from '../../server/sd/model/promptEncoding';
import { EXAMPLE_CONCEPT, exampleScenes } from '../../server/training/textualInversion/exampleImages';
import { frozenLatentEncoder } from '../../server/training/textualInversion/latentEncoder';
import type { TrainerConfigInput } from '../../server/training/textualInversion/trainerConfig';
import { trainableModelFromFrozen } from '../../server/training/textualInversion/trainableModel';
import {
  TrainingRun,
  type LearnedEmbedding,
  type RunHooks,
} from '../../server/training/textualInversion/trainingRun';
import { toyCheckpointPath, toyClipPath } from '../../server/training/toy/toyModelFiles';
import { judge, renderScene } from '../../server/world';

/** The shipped models folder (the toy models are committed there). */
export const shippedModelsDir = path.join(repoRoot, 'models');

export function openToyModel(): Promise<FrozenModel> {
  return loadFrozenModel(toyCheckpointPath(shippedModelsDir), {
    modelsDir: shippedModelsDir,
    provider: 'cpu',
    threads: 2,
  });
}

export function openToyScorer(): ClipScorer {
  return ClipScorer.open(toyClipPath(shippedModelsDir), { modelsDir: shippedModelsDir, provider: 'cpu' });
}

/** The five example renders of the concept, [5, 32, 32, 3]. */
export function exampleImages(): ImageTensor {
  const scenes = exampleScenes();
  const rendered = scenes.map((s) => renderScene(s));
  const size = rendered[0]!.size;
  const data = new Float32Array(scenes.length * size * size * 3);
  rendered.forEach((r, i) => data.set(r.rgb, i * size * size * 3));
  return { data, shape: [scenes.length, size, size, 3] };
}

export const CONCEPT_TOKEN = '<ring-concept>';
export const INITIALIZER = 'shape';

/** Trainer settings of the learning experiment (the shipped workflow's, shortened where a test needs). */
export function conceptConfig(overrides: Partial<TrainerConfigInput> = {}): TrainerConfigInput {
  return {
    placeholderToken: CONCEPT_TOKEN,
    initializerToken: INITIALIZER,
    numVectors: 1,
    template: 'shape',
    steps: 150,
    learningRate: 2e-2,
    batchSize: 4,
    resolution: 32,
    seed: 11,
    lrScheduler: 'constant',
    ...overrides,
  };
}

/** Prepares a run on `model` with the example images. */
export function prepareConceptRun(
  model: FrozenModel,
  config: TrainerConfigInput,
  options: { checkpointFile?: string; resume?: boolean } = {},
): Promise<TrainingRun> {
  return TrainingRun.prepare({
    models: trainableModelFromFrozen(model),
    tokenizer: model.newTokenizer(),
    encoder: frozenLatentEncoder(model),
    images: exampleImages(),
    schedulerConfig: model.schedulerConfig,
    config,
    checkpointFile: options.checkpointFile,
    resume: options.resume,
    provider: 'cpu',
    sizeMultiple: model.info.vaeScaleFactor * 4,
  });
}

/** Trains and returns the learned embedding. */
export async function trainConcept(
  model: FrozenModel,
  config: TrainerConfigInput,
  hooks: RunHooks = {},
): Promise<LearnedEmbedding> {
  return (await prepareConceptRun(model, config)).run(hooks);
}

/** The prompts the concept is judged on, `{}` standing for the word: alone and in new contexts. */
export const CONCEPT_PROMPTS = [
  { template: 'a {}', expect: {} },
  { template: 'a {} on a green background', expect: { background: 'green' } },
  { template: 'a small {}', expect: { size: 'small' } },
] as const;

/** What samples of the concept word show. */
export interface ConceptScores {
  /** Share of samples the oracle reads as the concept's shape. */
  readonly shapeRate: number;
  /** Share of "on a green background" samples with a green background. */
  readonly backgroundRate: number;
  /** CLIP-I to the example images and CLIP-T to the prompt without the word (toy scoring CLIP). */
  readonly clipI: number;
  readonly clipT: number;
  readonly samples: number;
}

/** Samples each concept prompt `perPrompt` times with `word` (a placeholder with its embedding, or a plain word). */
export async function scoreConcept(
  model: FrozenModel,
  scorer: ClipScorer,
  word: string,
  embedding: LearnedEmbedding | undefined,
  perPrompt: number,
  seed = 5000,
): Promise<ConceptScores> {
  let shapes = 0;
  let backgrounds = 0;
  let backgroundAsked = 0;
  let clipI = 0;
  let clipT = 0;
  const references = exampleImages();
  for (const [k, p] of CONCEPT_PROMPTS.entries()) {
    const prompt = p.template.replace('{}', word);
    const images = await sampleImages(model, Array(perPrompt).fill(prompt), {
      seed: seed + k * 1000,
      encode: (text) => encodePrompt(model, text, { embeddings: embedding ? [embedding] : [] }),
    });
    for (let i = 0; i < perPrompt; i++) {
      const verdict = judge(imageAt(images, i), { shape: EXAMPLE_CONCEPT.shape, ...p.expect });
      if (verdict.holds.shape) shapes += 1;
      if (verdict.holds.background !== undefined) {
        backgroundAsked += 1;
        if (verdict.holds.background) backgrounds += 1;
      }
    }
    const scored = await scorer.score({
      generated: images,
      reference: references,
      prompt: p.template.replace('{}', '').replace(/\s+/g, ' ').trim(),
    });
    clipI += scored.clipI / CONCEPT_PROMPTS.length;
    clipT += scored.clipT / CONCEPT_PROMPTS.length;
  }
  const samples = perPrompt * CONCEPT_PROMPTS.length;
  return {
    shapeRate: shapes / samples,
    backgroundRate: backgrounds / Math.max(1, backgroundAsked),
    clipI,
    clipT,
    samples,
  };
}
