/**
 * The same concept learned on the SD 2.x twin of the toy model (issue 12's second base model): textual
 * inversion through the v-prediction objective and the OpenCLIP-layout text tower still teaches the ring.
 * The twin learns more slowly than the SD 1.x model (`npm run bench -- ti-learning`: CLIP-I +0.05 after the
 * shipped 150 steps, +0.15 after 300), so this runs 300 steps. Measured with 8 samples per prompt on sampling
 * seeds 5000 / 6000 / 7000: CLIP-I +0.124 / +0.103 / +0.119 over the initializer word, ring rate 88 / 96 / 96 %
 * (initializer 79 / 88 / 88 %). `TOY_CONCEPT_LR=1e-12` makes it fail.
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
} from '../support/toyConceptLearning';

const PER_PROMPT = 8;
const STEPS = 300;
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
  it(`${STEPS} steps of the shipped settings raise CLIP-I by ${CLIP_I_GAIN}+ and keep drawing the ring`, async () => {
    expect(model.schedulerConfig.prediction_type).toBe('v_prediction');
    const baseline = await scoreConcept(model, scorer, INITIALIZER, undefined, PER_PROMPT);
    const learned = await trainConcept(model, conceptConfig({ steps: STEPS }));
    const after = await scoreConcept(model, scorer, CONCEPT_TOKEN, learned, PER_PROMPT);
    console.info(
      `[toy concept, SD 2.x twin] baseline ${JSON.stringify(baseline)}\n[toy concept, SD 2.x twin] learned ${JSON.stringify(after)}`,
    );
    expect(after.clipI).toBeGreaterThan(baseline.clipI + CLIP_I_GAIN);
    expect(after.shapeRate).toBeGreaterThanOrEqual(Math.max(0.7, baseline.shapeRate));
  });
});
