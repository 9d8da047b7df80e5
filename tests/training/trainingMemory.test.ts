/**
 * Resident memory of a training run stays flat after its first step. Measured on the tiny model at 256 px
 * (32×32 latents, batch 2), where one step's activations are ~200 MiB: with onnxruntime's memory pattern on,
 * the second step added that much again (443 → 647 MiB) and kept it; the trainer's session turns it off.
 */
import { describe, expect, it } from 'vitest';
import { prepareRun, testConfig, testImages } from './tinyTrainingSetup';

const MiB = 2 ** 20;
/** Allowed growth from step 1 to the last step: JS heap and allocator noise, far below one step's activations. */
const GROWTH_LIMIT = 48 * MiB;
const STEPS = 4;

describe('memory across training steps', () => {
  it(`RSS after step ${STEPS} stays within ${GROWTH_LIMIT / MiB} MiB of RSS after step 1 (256 px, batch 2)`, async () => {
    const run = await prepareRun(testConfig({ resolution: 256, steps: STEPS, batchSize: 2, numVectors: 1 }), {
      images: testImages(2, 256, 256),
    });
    const rss: number[] = [];
    const losses: number[] = [];
    await run.run({
      onStep: (r) => {
        rss.push(process.memoryUsage().rss);
        losses.push(r.loss);
      },
    });
    const growth = rss.map((r) => (r - rss[0]!) / MiB);
    console.log(`[measure] RSS growth after each step (MiB): ${growth.map((g) => g.toFixed(1)).join(', ')}`);
    expect(rss).toHaveLength(STEPS);
    expect(losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
    expect(Math.max(...rss.slice(1)) - rss[0]!).toBeLessThanOrEqual(GROWTH_LIMIT);
  });
});
