/**
 * ShapesWorldOracle through the real validator and executor on world renders of known scenes: the rates it
 * outputs, shows and writes are the shares of images whose asked-for parts match the scenes drawn.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shapesWorldOracle } from '../../nodes/scoring/shapesWorldOracle';
import { defineNode } from '../../server/engine/nodeDefinition';
import { validatePrompt } from '../../server/engine/validatePrompt';
import { worldSample, type ColourName, type ShapeName, type SizeClass } from '../../server/world';
import { createHarness } from '../support/engineHarness';

/** Renders "small red ring on white, large blue star on green" as a batch of 32×32 world images. */
const worldRenders = defineNode({
  type: 'WorldRenders',
  category: 'testing',
  inputs: { required: { scenes: ['STRING'] } },
  outputs: [{ type: 'IMAGE' }],
  execute: (inputs) => {
    const scenes = String(inputs.scenes)
      .split(',')
      .map((s) => s.trim().split(' '));
    const data = new Float32Array(scenes.length * 32 * 32 * 3);
    scenes.forEach(([size, colour, shape, , background], i) => {
      const constraints = {
        size: size as SizeClass,
        colour: colour as ColourName,
        shape: shape as ShapeName,
        background: background as ColourName,
      };
      data.set(worldSample(11, i, constraints).image.rgb, i * 32 * 32 * 3);
    });
    return { outputs: [{ data, shape: [scenes.length, 32, 32, 3] }] };
  },
});

/** Shows the FLOAT it is given. */
const showFloat = defineNode({
  type: 'ShowFloat',
  category: 'testing',
  outputNode: true,
  inputs: { required: { value: ['FLOAT', { forceInput: true }] } },
  outputs: [],
  execute: (inputs) => ({ outputs: [], ui: { value: [Number(inputs.value)] } }),
});

const SCENES =
  'small red ring on white, large red ring on green, small red star on green, small blue ring on white';

function prompt(expect: Record<string, string>) {
  return {
    '1': { class_type: 'WorldRenders', inputs: { scenes: SCENES } },
    '2': {
      class_type: 'ShapesWorldOracle',
      inputs: {
        images: ['1', 0],
        shape: 'any',
        colour: 'any',
        background: 'any',
        size: 'any',
        filename_prefix: 'oracle',
        ...expect,
      },
    },
  };
}

describe('ShapesWorldOracle', () => {
  it.each([
    [{ shape: 'ring' }, { shape_rate: [0.75], all_rate: [0.75] }],
    [
      { shape: 'ring', colour: 'red' },
      { shape_rate: [0.75], colour_rate: [0.75], all_rate: [0.5] },
    ],
    [
      { shape: 'ring', background: 'green', size: 'small' },
      { shape_rate: [0.75], background_rate: [0.5], size_rate: [0.75], all_rate: [0] },
    ],
    [
      { colour: 'red', size: 'small' },
      { colour_rate: [0.75], size_rate: [0.75], all_rate: [0.5] },
    ],
    [
      { shape: 'star', background: 'green' },
      { shape_rate: [0.25], background_rate: [0.5], all_rate: [0.25] },
    ],
  ])('asked %j, it rates %j', async (expected, rates) => {
    const h = await createHarness([worldRenders, shapesWorldOracle]);
    const { outcome } = await h.run(prompt(expected));
    expect(outcome.status).toBe('success');
    const { files, verdicts, ...shown } = outcome.outputs['2']!;
    expect(shown).toEqual(rates);
    expect(verdicts).toHaveLength(4);
    const [ref] = files as { filename: string; subfolder: string }[];
    expect(ref).toEqual({ filename: 'oracle_00001_.json', subfolder: '', type: 'output' });
    const record = JSON.parse(await readFile(path.join(h.dirs.output, ref!.filename), 'utf8')) as {
      expected: unknown;
      rates: Record<string, number>;
      images: number;
      per_image: { all: boolean; read: Record<string, string> }[];
    };
    expect(record.expected).toEqual(expected);
    expect(record.rates).toEqual(
      Object.fromEntries(Object.entries(rates).map(([k, [v]]) => [k.replace(/_rate$/, ''), v])),
    );
    expect(record.images).toBe(4);
    expect(record.per_image.map((p) => p.read)).toEqual([
      { shape: 'ring', colour: 'red', background: 'white', size: 'small' },
      { shape: 'ring', colour: 'red', background: 'green', size: 'large' },
      { shape: 'star', colour: 'red', background: 'green', size: 'small' },
      { shape: 'ring', colour: 'blue', background: 'white', size: 'small' },
    ]);
  });

  it('outputs the all-parts rate and lists a verdict per image', async () => {
    const h = await createHarness([worldRenders, shapesWorldOracle, showFloat]);
    const { outcome } = await h.run({
      ...prompt({ shape: 'ring', colour: 'red' }),
      '3': { class_type: 'ShowFloat', inputs: { value: ['2', 0] } },
    });
    expect(outcome.outputs['3']).toEqual({ value: [0.5] });
    expect(outcome.outputs['2']!.verdicts).toEqual([
      '#1 small red ring on white: shape ✓ colour ✓',
      '#2 large red ring on green: shape ✓ colour ✓',
      '#3 small red star on green: shape ✗ colour ✓',
      '#4 small blue ring on white: shape ✓ colour ✗',
    ]);
    const next = await h.run(prompt({ shape: 'ring', colour: 'red', filename_prefix: 'runs/ring' }));
    expect(next.outcome.outputs['2']!.files).toEqual([
      { filename: 'ring_00001_.json', subfolder: 'runs', type: 'output' },
    ]);
  });

  it('refuses a prompt that asks for no part at all', async () => {
    const h = await createHarness([worldRenders, shapesWorldOracle]);
    const result = await validatePrompt(prompt({}), h.registry);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toContain('pick at least one part for the oracle to check');
  });
});
