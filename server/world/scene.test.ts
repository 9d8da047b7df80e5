import { describe, expect, it } from 'vitest';
import { hasContrast } from './palette';
import { renderScene } from './renderScene';
import { MAX_ROTATION_DEG, sampleScene, SCALE_RANGES, sizeClassOf } from './scene';
import { WorldRng } from './worldRng';

describe('sampleScene', () => {
  it('keeps every shape inside the image with a clear border, over 3000 scenes', () => {
    const rng = new WorldRng(11);
    for (let k = 0; k < 3000; k++) {
      const scene = sampleScene(rng);
      const { mask } = renderScene(scene, 32);
      let borderCoverage = 0;
      for (let i = 0; i < 32; i++) {
        borderCoverage += mask[i] + mask[31 * 32 + i] + mask[i * 32] + mask[i * 32 + 31];
      }
      expect(borderCoverage, JSON.stringify(scene)).toBe(0);
    }
  });

  it('jitters within the stated ranges and never puts a colour on itself', () => {
    const rng = new WorldRng(12);
    for (let k = 0; k < 2000; k++) {
      const scene = sampleScene(rng);
      expect(scene.colour).not.toBe(scene.background);
      expect(hasContrast(scene.colour, scene.background)).toBe(true);
      const [lo, hi] = SCALE_RANGES[scene.size];
      expect(scene.scale).toBeGreaterThanOrEqual(lo);
      expect(scene.scale).toBeLessThanOrEqual(hi);
      expect(sizeClassOf(scene.scale)).toBe(scene.size);
      expect(Math.abs(scene.rotation)).toBeLessThanOrEqual(MAX_ROTATION_DEG);
    }
  });

  it('holds fixed fields and draws from allowed lists', () => {
    const rng = new WorldRng(13);
    for (let k = 0; k < 200; k++) {
      const scene = sampleScene(rng, {
        shape: 'ring',
        colour: 'red',
        size: 'large',
        background: ['blue', 'red', 'white'],
      });
      expect(scene).toMatchObject({ shape: 'ring', colour: 'red', size: 'large' });
      expect(['blue', 'white']).toContain(scene.background);
    }
  });

  it('names the bad constraint and the fix', () => {
    const rng = new WorldRng(14);
    const badShape = { shape: 'hexagon' } as unknown as { shape: 'circle' };
    expect(() => sampleScene(rng, badShape)).toThrow(
      'unknown shape "hexagon" in scene constraints; expected one of circle, square, triangle, star, cross, heart, ring',
    );
    expect(() => sampleScene(rng, { colour: 'red', background: 'red' })).toThrow(
      'scene constraints leave no background for colour "red"; allow a background other than red, orange',
    );
  });
});
