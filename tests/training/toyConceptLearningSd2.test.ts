/**
 * The same concept learned on the SD 2.x twin of the toy model (issue 12's second base model): textual
 * inversion through the v-prediction objective and the OpenCLIP-layout text tower still teaches the ring, with
 * the shipped settings. Measured with 8 samples per prompt on sampling seeds 5000 / 6000 / 7000: CLIP-I 0.674 /
 * 0.686 / 0.701 against 0.537 / 0.548 / 0.570 for the initializer word and 0.587 / 0.576 / 0.571 for the
 * untrained word ("shape shape": the word's two vectors start as the initializer's); ring rate 96 / 96 / 100 %.
 * The twin learns the ring's red more slowly (33–38 % of samples after 150 steps, 92–96 % after 300).
 * `TOY_CONCEPT_LR=1e-12` makes it fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipScorer } from '../../server/scoring/clipScorer';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import {
  CONCEPT_TOKEN,
  conceptConfig,
  INITIALIZER,
  openToyModel,
  openToyScorer,
  scoreConcept,
  trainConcept,
  untrainedWords,
} from '../support/toyConceptLearning';

const PER_PROMPT = 8;
const CLIP_I_GAIN = 0.05;

let model: FrozenModel;
let scorer: ClipScorer;

beforeAll(async () => {
  model = await openToyModel('sd2');
  scorer = openToyScorer();
});
afterAll(async () => {
  await scorer.close();
  await model.close();
});

describe('textual inversion on the SD 2.x twin (v-prediction) learns the unnamed shape', () => {
  it(`the shipped settings raise CLIP-I by ${CLIP_I_GAIN}+ and keep drawing the ring`, async () => {
    expect(model.schedulerConfig.prediction_type).toBe('v_prediction');
    const baseline = await scoreConcept(model, scorer, INITIALIZER, undefined, PER_PROMPT);
    const untrained = await scoreConcept(model, scorer, untrainedWords(), undefined, PER_PROMPT);
    const learned = await trainConcept(model, conceptConfig());
    const after = await scoreConcept(model, scorer, CONCEPT_TOKEN, learned, PER_PROMPT);
    console.info(
      `[toy concept, SD 2.x twin] baseline ${JSON.stringify(baseline)}\n[toy concept, SD 2.x twin] untrained ${JSON.stringify(untrained)}\n[toy concept, SD 2.x twin] learned ${JSON.stringify(after)}`,
    );
    expect(after.clipI).toBeGreaterThan(Math.max(baseline.clipI, untrained.clipI) + CLIP_I_GAIN);
    expect(after.shapeRate).toBeGreaterThanOrEqual(Math.max(0.7, baseline.shapeRate, untrained.shapeRate));
  });
});
