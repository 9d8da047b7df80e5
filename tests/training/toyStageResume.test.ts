/**
 * A toy-model stage (the real VAE / CLIP loss models, world batches, AdamW, checkpoints) interrupted and resumed
 * ends with exactly the weights of an uninterrupted run, and a finished stage reports one loss per step. The
 * CLIP stage runs on two threads as `npm run models:toy` runs it: its token-embedding gradient (rows picked
 * many times: every padding position is the end token) once raced there and made every run different.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TOY_RECIPE, trainToyClip, trainToyVae } from '../../server/training/toy/toyRecipe';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'toy-stage-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const settings = { ...TOY_RECIPE.vae, steps: 4, batch: 2, warmup: 1 };

describe('a toy VAE stage', () => {
  it('interrupted after 2 of 4 steps and resumed, ends with the weights of an uninterrupted run', async () => {
    const straight = await trainToyVae(settings, { workDir: path.join(tmp, 'straight'), threads: 1 });
    expect(straight.losses).toHaveLength(4);
    expect(straight.interrupted).toBe(false);

    const workDir = path.join(tmp, 'resumed');
    fs.mkdirSync(workDir);
    const stop = new AbortController();
    const first = await trainToyVae(settings, {
      workDir,
      threads: 1,
      signal: stop.signal,
      onStep: (_, r) => (r.step === 2 ? stop.abort() : undefined),
    });
    expect(first.interrupted).toBe(true);
    const resumed = await trainToyVae(settings, { workDir, threads: 1 });
    expect(resumed.losses).toEqual(straight.losses);
    for (const [key, w] of straight.weights) {
      expect(Array.from(resumed.weights.get(key)!.data), key).toEqual(Array.from(w.data));
    }
  });
});

describe('a toy CLIP stage on two threads', () => {
  const clip = {
    ...TOY_RECIPE.scoringClip,
    batch: 64,
    warmup: 1,
    phases: [{ steps: 4, shapeOnlyRate: 0.3, constraints: {} }],
  };
  it('interrupted after 2 of 4 steps and resumed, ends with the weights of an uninterrupted run', async () => {
    const straight = await trainToyClip('scoring-clip', 'scoring', clip, {
      workDir: path.join(tmp, 'clip-straight'),
      threads: 2,
    });
    expect(straight.losses).toHaveLength(4);
    const workDir = path.join(tmp, 'clip-resumed');
    const stop = new AbortController();
    const first = await trainToyClip('scoring-clip', 'scoring', clip, {
      workDir,
      threads: 2,
      signal: stop.signal,
      onStep: (_, r) => (r.step === 2 ? stop.abort() : undefined),
    });
    expect(first.interrupted).toBe(true);
    const resumed = await trainToyClip('scoring-clip', 'scoring', clip, { workDir, threads: 2 });
    expect(resumed.losses).toEqual(straight.losses);
    for (const [key, w] of straight.weights) {
      expect(Array.from(resumed.weights.get(key)!.data), key).toEqual(Array.from(w.data));
    }
  });
});
