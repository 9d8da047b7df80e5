/**
 * The mission, measured in CI: textual inversion on the shipped toy model learns a word for the shapes
 * world's unnamed shape (no caption of the model ever named it) from the five example renders. The
 * world's oracle sees that shape in the samples of the learned word far more often than in those of the
 * initializer word "shape", the scoring CLIP's CLIP-I rises, a new context ("on a green background") is
 * still drawn, and an interrupted run resumes to the identical embedding. With learning rate 0 the
 * embedding stays the initializer's row and nothing is learned (the same images as the baseline).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipScorer } from '../../server/scoring/clipScorer';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import type { LearnedEmbedding } from '../../server/training/textualInversion/trainingRun';
import {
  CONCEPT_TOKEN,
  conceptConfig,
  INITIALIZER,
  openToyModel,
  openToyScorer,
  prepareConceptRun,
  scoreConcept,
  trainConcept,
  type ConceptScores,
} from '../support/toyConceptLearning';

const STEPS = 150;
const PER_PROMPT = 4;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'toy-concept-'));
let model: FrozenModel;
let scorer: ClipScorer;
let learned: LearnedEmbedding;
let baseline: ConceptScores;

beforeAll(async () => {
  model = await openToyModel();
  scorer = openToyScorer();
});
afterAll(async () => {
  await scorer.close();
  await model.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('textual inversion on the toy model learns the unnamed shape', () => {
  it(`${STEPS} steps raise the oracle's shape rate and CLIP-I well above the initializer word's`, async () => {
    baseline = await scoreConcept(model, scorer, INITIALIZER, undefined, PER_PROMPT);
    learned = await trainConcept(model, conceptConfig({ steps: STEPS }));
    const after = await scoreConcept(model, scorer, CONCEPT_TOKEN, learned, PER_PROMPT);
    console.info(
      `[toy concept] baseline ${JSON.stringify(baseline)}\n[toy concept] learned ${JSON.stringify(after)}`,
    );
    expect(after.shapeRate).toBeGreaterThanOrEqual(baseline.shapeRate + 0.4);
    expect(after.shapeRate).toBeGreaterThanOrEqual(0.6);
    expect(after.clipI).toBeGreaterThan(baseline.clipI + 0.05);
    expect(after.backgroundRate).toBeGreaterThanOrEqual(0.75);
  });

  it('with learning rate 0 the word stays "shape": the same samples, no gain', async () => {
    const frozen = await trainConcept(model, conceptConfig({ steps: 5, learningRate: 1e-12 }));
    const still = await scoreConcept(model, scorer, CONCEPT_TOKEN, frozen, PER_PROMPT);
    expect(still.shapeRate).toBeCloseTo(baseline.shapeRate, 5);
    expect(still.clipI).toBeCloseTo(baseline.clipI, 3);
  });

  it('interrupted and resumed, the run ends with exactly the embedding of the uninterrupted one', async () => {
    const steps = 30;
    const file = path.join(tmp, 'concept.json');
    const config = conceptConfig({ steps, checkpointEvery: 10 });
    const uninterrupted = await trainConcept(model, config);
    const first = await prepareConceptRun(model, config, { checkpointFile: file });
    const stop = new AbortController();
    await expect(
      first.run({
        signal: stop.signal,
        onStep: (r) => (r.step === 17 ? stop.abort(new Error('stop at 17')) : undefined),
      }),
    ).rejects.toThrow('stop at 17');
    const resumed = await (
      await prepareConceptRun(model, config, { checkpointFile: file, resume: true })
    ).run();
    expect(resumed.step).toBe(steps);
    expect(Array.from(resumed.vectors)).toEqual(Array.from(uninterrupted.vectors));
    expect(Array.from(resumed.vectors)).not.toEqual(Array.from(learned.vectors));
  });
});
