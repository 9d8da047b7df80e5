import { describe, expect, it } from 'vitest';
import { addGaussianNoise, boxBlur3 } from './imageDegradations';
import { judge } from './judge';
import { classifyImage } from './oracle';
import { PALETTE } from './palette';
import { renderScene } from './renderScene';
import { SHAPE_NAMES } from './shapeKinds';
import { worldSamples } from './worldSamples';
import { WorldRng } from './worldRng';

/** Held-out renders: seed 424242 is used nowhere else. */
const HELD_OUT = worldSamples(424242, 500);

/** The degradations the oracle is measured under; each draws its noise from its own stream. */
const DEGRADATIONS = {
  clean: (rgb: Float32Array): Float32Array => rgb,
  'noise σ=0.05': (rgb: Float32Array, rng: WorldRng): Float32Array => addGaussianNoise(rgb, 0.05, rng),
  'noise σ=0.1': (rgb: Float32Array, rng: WorldRng): Float32Array => addGaussianNoise(rgb, 0.1, rng),
  '3×3 box blur': (rgb: Float32Array): Float32Array => boxBlur3(rgb, 32),
  'blur, then noise σ=0.05': (rgb: Float32Array, rng: WorldRng): Float32Array =>
    addGaussianNoise(boxBlur3(rgb, 32), 0.05, rng),
};

function accuracy(
  degradation: keyof typeof DEGRADATIONS,
): Record<'shape' | 'colour' | 'background' | 'size', number> {
  const rng = new WorldRng(424243);
  const hits = { shape: 0, colour: 0, background: 0, size: 0 };
  for (const { scene, image } of HELD_OUT) {
    const verdict = classifyImage(DEGRADATIONS[degradation](image.rgb, rng), image.size);
    for (const key of ['shape', 'colour', 'background', 'size'] as const) {
      if (verdict[key] === scene[key]) hits[key]++;
    }
  }
  const n = HELD_OUT.length;
  return {
    shape: hits.shape / n,
    colour: hits.colour / n,
    background: hits.background / n,
    size: hits.size / n,
  };
}

describe('oracle', () => {
  // measured on these 500 renders: 100 % of every field (shape, colours, size) in every case
  it.each([
    ['clean', 0.99],
    ['noise σ=0.05', 0.99],
    ['noise σ=0.1', 0.98],
    ['3×3 box blur', 0.98],
    ['blur, then noise σ=0.05', 0.98],
  ] as const)('reads %s renders: every colour right, shape right ≥ %s', (degradation, shapeFloor) => {
    const measured = accuracy(degradation);
    expect(measured.colour).toBe(1);
    expect(measured.background).toBe(1);
    expect(measured.shape).toBeGreaterThanOrEqual(shapeFloor);
    expect(measured.size).toBeGreaterThanOrEqual(0.99);
  });

  it('reports every kind with its IoU, the runner-up and the margin', () => {
    const verdict = classifyImage(HELD_OUT[0].image.rgb, 32);
    expect(verdict.shape).toBe(HELD_OUT[0].scene.shape);
    expect(Object.keys(verdict.perKind)).toEqual([...SHAPE_NAMES]);
    expect(verdict.iou).toBe(verdict.perKind[HELD_OUT[0].scene.shape]);
    expect(verdict.iou).toBeGreaterThan(0.85);
    expect(verdict.margin).toBeCloseTo(verdict.iou - verdict.perKind[verdict.runnerUp as 'circle'], 10);
    expect(verdict).toMatchObject({ confident: true, problem: null });
  });

  it('says "none" for pure noise', () => {
    const rng = new WorldRng(5);
    const noise = Float32Array.from({ length: 32 * 32 * 3 }, () => rng.uniform());
    expect(classifyImage(noise, 32)).toMatchObject({
      shape: 'none',
      colour: 'none',
      background: 'none',
      confident: false,
      problem: 'no-background',
    });
  });

  it('says "none" for background with noise σ=0.1 and no shape', () => {
    const rng = new WorldRng(6);
    const noisy = Float32Array.from(
      { length: 32 * 32 * 3 },
      (_, i) => PALETTE.white[i % 3] + 0.1 * rng.normal(),
    );
    expect(classifyImage(noisy, 32)).toMatchObject({
      shape: 'none',
      background: 'white',
      problem: 'no-foreground',
    });
  });

  it('says "none" for a blank image, and still reads its background', () => {
    const blank = new Float32Array(32 * 32 * 3);
    for (let i = 0; i < blank.length; i++) blank[i] = PALETTE.green[i % 3];
    expect(classifyImage(blank, 32)).toMatchObject({
      shape: 'none',
      colour: 'none',
      background: 'green',
      size: 'none',
      iou: 0,
      confident: false,
      problem: 'no-foreground',
    });
  });

  it('judges an image against a prompt, part by part', () => {
    const scene = {
      shape: 'star',
      colour: 'yellow',
      background: 'black',
      size: 'large',
      scale: 0.27,
      cx: 0.5,
      cy: 0.52,
      rotation: 8,
    } as const;
    const image = renderScene(scene, 32);
    expect(judge(image, { shape: 'star', colour: 'yellow' })).toMatchObject({
      holds: { shape: true, colour: true },
      all: true,
    });
    const wrong = judge(image, { shape: 'heart', background: 'black', size: 'small' });
    expect(wrong.holds).toEqual({ shape: false, background: true, size: false });
    expect(wrong.all).toBe(false);
  });

  it('rejects an image whose length does not match its size', () => {
    expect(() => classifyImage(new Float32Array(10), 32)).toThrow(
      'image of 10 values does not match size 32; pass HWC RGB of length size·size·3',
    );
  });
});
