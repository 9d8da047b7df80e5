/**
 * The mission, measured in CI: textual inversion on the shipped toy model learns a word for the shapes
 * world's unnamed shape (no caption of the model ever named it) from the five example renders (red rings on
 * five backgrounds, each with its caption file), with the shipped trainer settings (two vectors). Against the
 * initializer word "shape" alone and the untrained word, the world's oracle sees the ring and its red in more
 * samples of the learned word, the scoring CLIP's CLIP-I to the examples rises, and "on a green background" is
 * still drawn. With learning rate ~0 the word stays the untrained one (`TOY_CONCEPT_LR=1e-12 npx vitest run`
 * on this file fails its first test; the trainer refuses exactly 0), and an interrupted run resumes to the
 * identical embedding. CLIP-T (the prompts without the word: "a small", "a on a green background") stays
 * within issue 12's 0.02 of the initializer word's: the word draws the ring without drowning the rest of the
 * prompt.
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
  untrainedWords,
  type ConceptScores,
} from '../support/toyConceptLearning';

const PER_PROMPT = 8;
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

/**
 * Gains the learned word must show (measured on the shipped build: see the log): the ring over the initializer
 * word; its red and CLIP-I over both the initializer word and the untrained word ("shape shape": the word's
 * two vectors start as the initializer's, and that already draws about as many rings: 54 % against 50 %). On the
 * shipped build, 8 samples per prompt: ring 75 % (50 %), red 67 % (0 %), CLIP-I 0.661 (0.506), CLIP-T 0.425 (0.439).
 */
const RING_GAIN = 0.1;
const COLOUR_GAIN = 0.4;
const CLIP_I_GAIN = 0.05;
/** Share of "on a green background" samples that must keep green (the initializer word's: 100 %). */
const BACKGROUND_KEPT = 0.75;
/** How far CLIP-T may fall below the initializer word's (issue 12's bound). */
const CLIP_T_DROP = 0.02;

describe('textual inversion on the toy model learns the unnamed shape', () => {
  it('the shipped settings teach the concept: the ring and its colour drawn, new backgrounds kept, CLIP-I up', async () => {
    baseline = await scoreConcept(model, scorer, INITIALIZER, undefined, PER_PROMPT);
    const untrained = await scoreConcept(model, scorer, untrainedWords(), undefined, PER_PROMPT);
    const before = (key: 'shapeRate' | 'colourRate' | 'clipI') => Math.max(baseline[key], untrained[key]);
    learned = await trainConcept(model, conceptConfig());
    const after = await scoreConcept(model, scorer, CONCEPT_TOKEN, learned, PER_PROMPT);
    console.info(
      `[toy concept] baseline ${JSON.stringify(baseline)}\n[toy concept] untrained ${JSON.stringify(untrained)}\n[toy concept] learned ${JSON.stringify(after)}`,
    );
    expect(after.shapeRate).toBeGreaterThanOrEqual(0.7);
    expect(after.shapeRate).toBeGreaterThanOrEqual(baseline.shapeRate + RING_GAIN);
    expect(after.shapeRate).toBeGreaterThanOrEqual(before('shapeRate'));
    expect(after.colourRate).toBeGreaterThanOrEqual(before('colourRate') + COLOUR_GAIN);
    expect(after.backgroundRate).toBeGreaterThanOrEqual(BACKGROUND_KEPT);
    expect(after.clipI).toBeGreaterThan(before('clipI') + CLIP_I_GAIN);
    expect(after.clipT).toBeGreaterThanOrEqual(baseline.clipT - CLIP_T_DROP);
  });

  it('with learning rate 0 the word stays what it started as: the same samples, no gain', async () => {
    const config = conceptConfig({ steps: 5, learningRate: 1e-12 });
    const frozen = await trainConcept(model, config);
    const still = await scoreConcept(model, scorer, CONCEPT_TOKEN, frozen, PER_PROMPT);
    const initial = await scoreConcept(model, scorer, untrainedWords(config), undefined, PER_PROMPT);
    expect(still.samples).toBe(initial.samples);
    expect(still.colourRate).toBe(initial.colourRate);
    expect(still.shapeRate).toBe(initial.shapeRate);
    expect(still.clipI).toBeCloseTo(initial.clipI, 4);
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
