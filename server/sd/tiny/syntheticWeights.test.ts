import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLdmCheckpoint } from '../weights/ldmCheckpoint';
import { unetParameterShapes } from '../weights/parameterShapes';
import { float16ToFloat32, float32ToFloat16 } from '../weights/tensorDtypes';
import { writeSyntheticCheckpoint } from './syntheticCheckpoint';
import { normalQuantile, SyntheticWeightSource } from './syntheticWeights';
import { tinyConfigs } from './tinyConfigs';

const shapes = unetParameterShapes(tinyConfigs('sd1').unet);
const CONV = 'down_blocks.0.resnets.0.conv1.weight';

describe('normalQuantile', () => {
  it.each([
    [0.5, 0],
    [0.975, 1.959963985],
    [0.025, -1.959963985],
    [0.8413447461, 1],
    [1e-5, -4.264890794],
  ])('Φ⁻¹(%f) = %f', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 6);
  });
});

describe('SyntheticWeightSource', () => {
  it('gives each tensor the same values whatever was read before, and other values per name and seed', () => {
    const a = new SyntheticWeightSource('a', shapes, 5);
    const b = new SyntheticWeightSource('b', shapes, 5);
    for (const name of a.names()) a.read(name);
    const first = a.read(CONV);
    expect(b.read(CONV)).toEqual(first);
    expect(first.slice(0, 4)).not.toEqual(b.read('down_blocks.0.resnets.0.conv2.weight').slice(0, 4));
    expect(first.slice(0, 4)).not.toEqual(new SyntheticWeightSource('c', shapes, 6).read(CONV).slice(0, 4));
  });

  it('scales like randomWeights: conv weights N(0, 1/fan_in), norm scales 1 + 0.1·N', () => {
    const source = new SyntheticWeightSource('a', shapes, 1);
    const stats = (v: Float32Array) => {
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      return { mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length) };
    };
    const conv = source.read(CONV);
    const fanIn = shapes
      .get(CONV)!
      .slice(1)
      .reduce((x, y) => x * y, 1);
    const { mean, std } = stats(conv);
    expect(conv.length).toBe(32 * 32 * 9);
    expect(Math.abs(mean)).toBeLessThan(0.03 / Math.sqrt(fanIn));
    expect(std * Math.sqrt(fanIn)).toBeCloseTo(1, 1);
    const norm = stats(source.read('down_blocks.0.resnets.0.norm1.weight'));
    expect(norm.mean).toBeCloseTo(1, 1);
    expect(norm.std).toBeGreaterThan(0.05);
    expect(conv.some((x) => x === 0)).toBe(false);
  });

  it('hands out the float16 rounding of its float32 values (odd lengths too)', () => {
    const source = new SyntheticWeightSource('a', shapes, 3);
    for (const name of [CONV, 'conv_in.bias', 'time_embedding.linear_1.weight']) {
      expect(source.readFloat16(name)).toEqual(float32ToFloat16(source.read(name)));
    }
    const odd = new SyntheticWeightSource('odd', new Map([['x.weight', [3, 5]]]), 1);
    expect(odd.readFloat16('x.weight')).toEqual(float32ToFloat16(odd.read('x.weight')));
  });
});

describe('writeSyntheticCheckpoint', () => {
  it.each(['sd1', 'sd2'] as const)(
    'writes a %s F16 checkpoint that reopens with the same values',
    async (family) => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synthetic-')), 'model.safetensors');
      const configs = tinyConfigs(family);
      const { parameters } = await writeSyntheticCheckpoint(file, family, configs, { seed: 9 });
      const model = openLdmCheckpoint(file);
      try {
        expect(model.family).toBe(family);
        expect(model.unet.dtype(CONV)).toBe('F16');
        const expected = new SyntheticWeightSource('u', shapes, 9).readFloat16(CONV);
        expect(model.unet.read(CONV)).toEqual(float16ToFloat32(expected));
        const stored = [model.unet, model.vae, model.textEncoder]
          .flatMap((s) => s.names().map((n) => s.shape(n).reduce((a, b) => a * b, 1)))
          .reduce((a, b) => a + b, 0);
        // the SD 2.x checkpoint's unused last OpenCLIP block is counted in parameters, not loaded
        expect(stored).toBeLessThanOrEqual(parameters);
        expect(stored).toBeGreaterThan(0.9 * parameters);
      } finally {
        model.close();
      }
    },
  );
});
