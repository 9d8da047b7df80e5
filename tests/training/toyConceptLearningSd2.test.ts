/**
 * The same concept learned on the SD 2.x twin of the toy model (issue 12's second base model): textual
 * inversion through the v-prediction objective and the OpenCLIP-layout text tower still teaches the ring, with
 * the shipped settings. Measured with 8 samples per prompt on the shipped (one-hour) build: CLIP-I 0.629
 * against 0.547 for the initializer word and 0.517 for the untrained word ("shape shape": the word's two vectors
 * start as the initializer's); ring rate 100 % (71 % initializer, 79 % untrained). The twin learns the ring's red more slowly
 * (46 % of samples after 150 steps; 43 % in the bench's 24 per prompt).
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
