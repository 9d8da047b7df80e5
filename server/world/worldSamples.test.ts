import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { worldSample, worldSamples } from './worldSamples';

/** SHA-256 of float32 values written little-endian (the same on every machine). */
function hashFloats(...arrays: Float32Array[]): string {
  const hash = createHash('sha256');
  for (const values of arrays) {
    const bytes = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => bytes.writeFloatLE(v, 4 * i));
    hash.update(bytes);
  }
  return hash.digest('hex').slice(0, 16);
}

describe('worldSamples', () => {
  it('draws the same scenes, images and captions for the same seed (literal hashes)', () => {
    const samples = worldSamples(2024, 4);
    expect(samples.map((s) => s.caption)).toEqual([
      'a blue shape',
      'a small purple shape on a green background',
      'a red heart on a yellow background',
      'a large green heart',
    ]);
    expect(
      samples.map((s) => `${s.scene.shape}/${s.scene.colour}/${s.scene.background}/${s.scene.size}`),
    ).toEqual([
      'triangle/blue/purple/small',
      'triangle/purple/green/small',
      'heart/red/yellow/large',
      'heart/green/white/large',
    ]);
    expect(samples.map((s) => hashFloats(s.image.rgb, s.image.mask))).toEqual([
      '93adf30d1cda0749',
      '149cfc91f723a5e0',
      'e8b706e492b430ab',
      'f6605ce92e28035e',
    ]);
  });

  it('holds constraints and image size', () => {
    const ring = worldSample(
      2024,
      0,
      { shape: 'ring', colour: 'red' },
      { imageSize: 64, vocabulary: 'scoring' },
    );
    expect(ring.image.size).toBe(64);
    expect(ring.image.rgb.length).toBe(64 * 64 * 3);
    expect(hashFloats(ring.image.rgb)).toBe('9bcabf02f2fd424b');
    expect(ring.caption).toBe('a red ring');
  });

  it('makes sample i independent of the samples before it', () => {
    const all = worldSamples(99, 12);
    const one = worldSample(99, 11);
    expect(one.caption).toBe(all[11].caption);
    expect(one.scene).toEqual(all[11].scene);
    expect(worldSamples(100, 3).map((s) => s.caption)).not.toEqual(worldSamples(99, 3).map((s) => s.caption));
  });

  it('rejects a bad count', () => {
    expect(() => worldSamples(1, -1)).toThrow('sample count -1 is not a non-negative integer');
  });
});
