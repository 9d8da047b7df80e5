import { describe, expect, it } from 'vitest';
import {
  CAPTION_PROBABILITIES,
  captionScene,
  captionWithoutShape,
  fullCaption,
  WORLD_WORDS,
} from './captions';
import { sampleScene, type Scene } from './scene';
import { NAMED_SHAPES } from './shapeKinds';
import { WorldRng } from './worldRng';

const scene: Scene = {
  shape: 'ring',
  colour: 'orange',
  background: 'blue',
  size: 'small',
  scale: 0.18,
  cx: 0.5,
  cy: 0.5,
  rotation: 0,
};

function captions(
  count: number,
  seed: number,
  vocabulary: 'generator' | 'scoring',
): { scene: Scene; caption: string }[] {
  const rng = new WorldRng(seed);
  return Array.from({ length: count }, () => {
    const s = sampleScene(rng);
    return { scene: s, caption: captionScene(s, rng, { vocabulary }) };
  });
}

describe('captions', () => {
  it('writes full captions with the right articles', () => {
    expect(fullCaption(scene, 'scoring')).toBe('a small orange ring on a blue background');
    expect(fullCaption(scene, 'generator')).toBe('a small orange shape on a blue background');
    expect(
      fullCaption(
        { ...scene, shape: 'star', size: 'large', background: 'orange', colour: 'white' },
        'generator',
      ),
    ).toBe('a large white star on an orange background');
  });

  it('never says "ring" in generator captions, over 5000 scenes', () => {
    const all = captions(5000, 21, 'generator');
    expect(all.filter(({ caption }) => caption.split(' ').includes('ring'))).toEqual([]);
    const rings = all.filter(({ scene: s }) => s.shape === 'ring');
    expect(rings.length).toBeGreaterThan(500);
    for (const { caption } of rings) expect(caption).toMatch(/\bshape\b/);
  });

  it('always names the shape in scoring captions, the ring included', () => {
    for (const { scene: s, caption } of captions(2000, 22, 'scoring')) {
      expect(caption.split(' ')).toContain(s.shape);
      expect(caption.split(' ')).not.toContain('shape');
    }
  });

  it('calls every named shape both by its name and "shape"', () => {
    const all = captions(5000, 23, 'generator');
    for (const name of NAMED_SHAPES) {
      const own = all.filter(({ scene: s }) => s.shape === name);
      const named = own.filter(({ caption }) => caption.split(' ').includes(name)).length / own.length;
      expect(named, name).toBeGreaterThan(CAPTION_PROBABILITIES.shapeName - 0.07);
      expect(named, name).toBeLessThan(CAPTION_PROBABILITIES.shapeName + 0.07);
    }
  });

  it('names the named shapes at a chosen rate, and the ring never', () => {
    const rng = new WorldRng(24);
    const all = Array.from({ length: 5000 }, () => {
      const s = sampleScene(rng);
      return { scene: s, caption: captionScene(s, rng, { vocabulary: 'generator', shapeNameRate: 0.95 }) };
    });
    const named = all.filter(({ scene: s }) => NAMED_SHAPES.includes(s.shape));
    const byName = named.filter(({ scene: s, caption }) => caption.split(' ').includes(s.shape)).length;
    expect(byName / named.length).toBeGreaterThan(0.93);
    expect(byName / named.length).toBeLessThan(0.97);
    const generic = all.filter(({ caption }) => caption.split(' ').includes('shape'));
    const rings = generic.filter(({ scene: s }) => s.shape === 'ring').length / generic.length;
    // with 7 kinds drawn alike, "shape" is the ring (1/7) / (1/7 + 6/7 · 0.05) = 0.77 of the time
    expect(rings).toBeGreaterThan(0.7);
    expect(rings).toBeLessThan(0.84);
    expect(all.filter(({ caption }) => caption.split(' ').includes('ring'))).toEqual([]);
  });

  it('drops parts at the stated rates and uses only world words', () => {
    const all = captions(5000, 24, 'generator');
    const rate = (test: (c: string, s: Scene) => boolean): number =>
      all.filter(({ caption, scene: s }) => test(caption, s)).length / all.length;
    expect(rate((c) => /\b(small|large)\b/.test(c))).toBeCloseTo(CAPTION_PROBABILITIES.size, 1);
    expect(rate((c) => c.includes('background'))).toBeCloseTo(CAPTION_PROBABILITIES.background, 1);
    expect(rate((c, s) => c.split(' on ')[0].split(' ').includes(s.colour))).toBeCloseTo(
      CAPTION_PROBABILITIES.colour,
      1,
    );
    const words = new Set(all.flatMap(({ caption }) => caption.split(' ')));
    for (const word of words) expect(WORLD_WORDS).toContain(word);
    expect(all.some(({ caption }) => caption === 'a shape')).toBe(true);
  });

  it('drops the shape word as CLIP-T drops a placeholder, remaking the article', () => {
    const cases: [string, string][] = [
      ['a small orange ring on a blue background', 'a small orange on a blue background'],
      ['a ring on a blue background', 'a on a blue background'],
      ['an orange ring', 'an orange'],
      ['a ring', 'a'],
      ['a large ring', 'a large'],
    ];
    for (const [caption, expected] of cases) expect(captionWithoutShape(caption, scene)).toBe(expected);
    // only the scene's own shape word goes
    expect(captionWithoutShape('a red star', scene)).toBe('a red star');
    // the result reads as the concept prompts read once the placeholder is deleted
    expect(
      captionWithoutShape(fullCaption({ ...scene, size: 'large' }, 'scoring'), { ...scene, size: 'large' }),
    ).toBe('a large orange on a blue background');
  });

  it('lists the world words once each', () => {
    expect(WORLD_WORDS).toEqual([
      'a',
      'an',
      'on',
      'background',
      'small',
      'large',
      'shape',
      'circle',
      'square',
      'triangle',
      'star',
      'cross',
      'heart',
      'ring',
      'red',
      'green',
      'blue',
      'yellow',
      'purple',
      'orange',
      'white',
      'black',
    ]);
    expect(new Set(WORLD_WORDS).size).toBe(WORLD_WORDS.length);
  });
});
