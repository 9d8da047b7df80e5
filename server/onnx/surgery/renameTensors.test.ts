import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graphBuilder';
import { createSession, ort } from '../sessions';
import { prefixNames, renameTensors } from './renameTensors';
import { graphOf } from './graphIndex';

function model() {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [2]);
  const w = g.initializer('w', { type: 'float32', dims: [2], data: Float32Array.from([3, 4]) });
  const h = g.op('Mul', [x, w], {}, 'h');
  g.output(g.op('Add', [h, x], {}, 'y'), 'float32', [2]);
  return g.toModel();
}

async function run(m: ReturnType<typeof model>, input: string): Promise<Record<string, number[]>> {
  const session = await createSession(m, { provider: 'cpu' });
  const out = await session.run({ [input]: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]) });
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
}

describe('renameTensors', () => {
  it('renames inputs, initializers, intermediates and outputs everywhere', async () => {
    const renamed = renameTensors(model(), { x: 'latents', w: 'scale', h: 'scaled', y: 'result' });
    const graph = graphOf(renamed);
    expect((graph.input ?? []).map((v) => v.name)).toEqual(['latents']);
    expect((graph.initializer ?? []).map((t) => t.name)).toEqual(['scale']);
    expect((graph.node ?? []).map((n) => [...(n.input ?? []), '->', ...(n.output ?? [])])).toEqual([
      ['latents', 'scale', '->', 'scaled'],
      ['scaled', 'latents', '->', 'result'],
    ]);
    expect(await run(renamed, 'latents')).toEqual({ result: [4, 10] });
    expect(graphOf(model()).input?.[0]?.name).toBe('x');
  });

  it('refuses clashes and unknown names', () => {
    expect(() => renameTensors(model(), { h: 'w' })).toThrow(
      /cannot rename "h" to "w": that name is already used/,
    );
    expect(() => renameTensors(model(), { h: 'z', y: 'z' })).toThrow(/cannot rename "y" to "z"/);
    expect(() => renameTensors(model(), { q: 'z' })).toThrow(/cannot rename "q": no tensor of that name/);
  });

  it('swaps two names in one call', async () => {
    const swapped = renameTensors(model(), { x: 'h', h: 'x' });
    expect((graphOf(swapped).input ?? []).map((v) => v.name)).toEqual(['h']);
    expect(await run(swapped, 'h')).toEqual({ y: [4, 10] });
  });
});

describe('prefixNames', () => {
  it('prefixes every tensor and node name and keeps the values', async () => {
    const prefixed = prefixNames(model(), 'unet/');
    const graph = graphOf(prefixed);
    expect((graph.node ?? []).every((n) => n.name?.startsWith('unet/'))).toBe(true);
    expect((graph.output ?? []).map((v) => v.name)).toEqual(['unet/y']);
    expect(await run(prefixed, 'unet/x')).toEqual({ 'unet/y': [4, 10] });
  });
});
