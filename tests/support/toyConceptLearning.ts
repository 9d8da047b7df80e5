/**
 * The mission measured on the shipped toy model: textual inversion learns a word for the world's unnamed
 * shape from the five example renders, and the world's oracle (plus the toy scoring CLIP) tells how often
 * samples show it, against the initializer word alone. Shared by the learning test and `bench ti-learning`.
 */
import path from 'node:path';
import { repoRoot } from '../../server/config';
import { ClipScorer } from '../../server/scoring/clipScorer';
import { imageAt, renderBatch, sampleImages } from '../../server/scoring/toyWorldEvaluation';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { encodePrompt } from '../../server/sd/model/promptEncoding';
import { EXAMPLE_CONCEPT } from '../../server/training/textualInversion/exampleImages';
import type { TrainerConfigInput } from '../../server/training/textualInversion/trainerConfig';
import type { LearnedEmbedding } from '../../server/training/textualInversion/trainingRun';
import {
  CONCEPT_INITIALIZER,
  conceptConfig as shippedConceptConfig,
  conceptImages,
  prepareConceptRun,
  trainConcept,
} from '../../server/training/toy/toyConcept';
import { toyCheckpointPath, toyClipPath } from '../../server/training/toy/toyModelFiles';
import { judge, worldSamples } from '../../server/world';
import type { ModelFamily } from '../../server/sd/weights/modelFamily';

/** The shipped models folder (the toy models are committed there). */
export const shippedModelsDir = path.join(repoRoot, 'models');

/** The shipped toy generator: SD 1.x, or (`sd2`) its SD 2.x twin. */
export function openToyModel(family: ModelFamily = 'sd1'): Promise<FrozenModel> {
  return loadFrozenModel(toyCheckpointPath(shippedModelsDir, family), {
    modelsDir: shippedModelsDir,
    provider: 'cpu',
    threads: 2,
  });
}

export function openToyScorer(): ClipScorer {
  return ClipScorer.open(toyClipPath(shippedModelsDir), { modelsDir: shippedModelsDir, provider: 'cpu' });
}

export const CONCEPT_TOKEN = '<ring-concept>';
export const INITIALIZER = CONCEPT_INITIALIZER;

/**
 * The shipped trainer settings for CONCEPT_TOKEN. `TOY_CONCEPT_LR` overrides the learning rate (e.g. 1e-12, to
 * show that the learning test fails when nothing is learned).
 */
export function conceptConfig(overrides: Partial<TrainerConfigInput> = {}): TrainerConfigInput {
  const lr = process.env.TOY_CONCEPT_LR;
  return shippedConceptConfig(CONCEPT_TOKEN, {
    ...(lr === undefined ? {} : { learningRate: Number(lr) }),
    ...overrides,
  });
}

export { prepareConceptRun, trainConcept };

/**
 * The words an untrained concept word reads as: each of its vectors starts as the initializer's, so with two
 * vectors "a <word>" is "a shape shape". What training must improve on (the baseline is the
 * initializer word alone; with one vector the two are the same).
 */
export function untrainedWords(config: TrainerConfigInput = conceptConfig()): string {
  return Array(config.numVectors ?? 1)
    .fill(config.initializerToken)
    .join(' ');
}

/** The prompts the concept is judged on, `{}` standing for the word: alone and in new contexts. */
export const CONCEPT_PROMPTS = [
  { template: 'a {}', expect: {} },
  { template: 'a {} on a green background', expect: { background: 'green' } },
  { template: 'a small {}', expect: { size: 'small' } },
] as const;

/** A concept prompt as CLIP-T scores it: with the word removed (as Gal et al. measure editability). */
const withoutWord = (template: string): string => template.replace('{}', '').replace(/\s+/g, ' ').trim();

/** What samples of the concept word show. */
export interface ConceptScores {
  /** Share of samples the oracle reads as the concept's shape. */
  readonly shapeRate: number;
  /** Share of samples whose shape the oracle reads in the concept's colour (the examples are all red). */
  readonly colourRate: number;
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
  let colours = 0;
  let backgrounds = 0;
  let backgroundAsked = 0;
  let clipI = 0;
  let clipT = 0;
  const references = conceptImages();
  for (const [k, p] of CONCEPT_PROMPTS.entries()) {
    const prompt = p.template.replace('{}', word);
    const images = await sampleImages(model, Array(perPrompt).fill(prompt), {
      seed: seed + k * 1000,
      encode: (text) => encodePrompt(model, text, { embeddings: embedding ? [embedding] : [] }),
    });
    for (let i = 0; i < perPrompt; i++) {
      const verdict = judge(imageAt(images, i), {
        shape: EXAMPLE_CONCEPT.shape,
        colour: EXAMPLE_CONCEPT.colour,
        ...p.expect,
      });
      if (verdict.holds.shape) shapes += 1;
      if (verdict.holds.colour) colours += 1;
      if (verdict.holds.background !== undefined) {
        backgroundAsked += 1;
        if (verdict.holds.background) backgrounds += 1;
      }
    }
    const scored = await scorer.score({
      generated: images,
      reference: references,
      prompt: withoutWord(p.template),
    });
    clipI += scored.clipI / CONCEPT_PROMPTS.length;
    clipT += scored.clipT / CONCEPT_PROMPTS.length;
  }
  const samples = perPrompt * CONCEPT_PROMPTS.length;
  return {
    shapeRate: shapes / samples,
    colourRate: colours / samples,
    backgroundRate: backgrounds / Math.max(1, backgroundAsked),
    clipI,
    clipT,
    samples,
  };
}

/**
 * CLIP-I and CLIP-T of the concept drawn perfectly: `perPrompt` renders per concept prompt of the world's own
 * red ring in exactly the asked-for context (green background, small), scored as `scoreConcept` scores
 * samples. The ceiling a learned word can reach on this scorer: a reference for the CLIP targets.
 */
export async function scorePerfectConcept(
  scorer: ClipScorer,
  perPrompt: number,
  seed = 5000,
): Promise<Pick<ConceptScores, 'clipI' | 'clipT' | 'samples'>> {
  let clipI = 0;
  let clipT = 0;
  for (const [k, p] of CONCEPT_PROMPTS.entries()) {
    const renders = worldSamples(seed + k * 1000, perPrompt, { ...EXAMPLE_CONCEPT, ...p.expect }).map(
      (s) => s.image,
    );
    const scored = await scorer.score({
      generated: renderBatch(renders),
      reference: conceptImages(),
      prompt: withoutWord(p.template),
    });
    clipI += scored.clipI / CONCEPT_PROMPTS.length;
    clipT += scored.clipT / CONCEPT_PROMPTS.length;
  }
  return { clipI, clipT, samples: perPrompt * CONCEPT_PROMPTS.length };
}
