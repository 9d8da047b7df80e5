import { describe, expect, it } from 'vitest';
import { describeInput, describeInputs, precisionForStep, snapNumber } from './inputSpecs';
import type { NodeDef } from '../api/wire';

describe('describeInput', () => {
  it.each([
    [['MODEL'], { slot: 'socket', type: 'MODEL' }],
    [['INT', { forceInput: true }], { slot: 'socket', type: 'INT' }],
    [
      ['INT', { default: 5, min: 0, max: 100, control_after_generate: true }],
      {
        slot: 'widget',
        widget: {
          kind: 'number',
          type: 'INT',
          default: 5,
          min: 0,
          max: 100,
          step: 1,
          precision: 0,
          controlAfterGenerate: true,
        },
      },
    ],
    [
      ['FLOAT', { default: 7.5, min: 0, max: 30, step: 0.1 }],
      {
        slot: 'widget',
        widget: {
          kind: 'number',
          type: 'FLOAT',
          default: 7.5,
          min: 0,
          max: 30,
          step: 0.1,
          precision: 1,
          controlAfterGenerate: false,
        },
      },
    ],
    [
      ['STRING', { multiline: true }],
      { slot: 'widget', widget: { kind: 'string', default: '', multiline: true } },
    ],
    [['BOOLEAN', { default: true }], { slot: 'widget', widget: { kind: 'toggle', default: true } }],
    [
      [['euler', 'ddim'], { default: 'ddim' }],
      {
        slot: 'widget',
        type: 'COMBO',
        widget: { kind: 'combo', default: 'ddim', values: ['euler', 'ddim'], imageUpload: false },
      },
    ],
    [
      [['a.png'], { image_upload: true }],
      { slot: 'widget', widget: { kind: 'combo', default: 'a.png', values: ['a.png'], imageUpload: true } },
    ],
    [
      ['COMBO', { options: ['x', 'y'] }],
      { slot: 'widget', widget: { kind: 'combo', default: 'x', values: ['x', 'y'] } },
    ],
  ])('%j → %j', (spec, expected) => {
    expect(describeInput('N', 'in', spec, false)).toMatchObject(expected);
  });

  it('names the node and input when options do not fit the type', () => {
    expect(() => describeInput('KSampler', 'steps', ['INT', { min: 'one' }], false)).toThrow(
      /KSampler\.steps/,
    );
  });
});

describe('precisionForStep', () => {
  it.each([
    [1, 0],
    [0.5, 1],
    [0.01, 2],
    [0.0001, 4],
    [1e-7, 7],
  ])('step %d shows %d decimals', (step, digits) => expect(precisionForStep(step)).toBe(digits));
});

describe('describeInputs', () => {
  it('follows input_order, required first, then optional', () => {
    const def: NodeDef = {
      name: 'Demo',
      display_name: 'Demo',
      description: '',
      python_module: 'nodes',
      category: 'test',
      output_node: false,
      output: [],
      output_is_list: [],
      output_name: [],
      input: {
        required: { b: ['INT'], a: ['IMAGE'] },
        optional: { z: ['STRING'], y: ['MASK'] },
      },
      input_order: { required: ['a', 'b'], optional: ['y', 'z'] },
    };
    expect(describeInputs(def).map((i) => [i.name, i.slot, i.optional])).toEqual([
      ['a', 'socket', false],
      ['b', 'widget', false],
      ['y', 'socket', true],
      ['z', 'widget', true],
    ]);
  });
});

describe('snapNumber', () => {
  const int = describeInput('N', 'steps', ['INT', { min: 1, max: 100 }], false);
  const float = describeInput('N', 'cfg', ['FLOAT', { min: 0, max: 30, step: 0.1 }], false);
  it.each([
    [int, 7.6, 8],
    [int, 0, 1],
    [int, 1e9, 100],
    [float, 0.1 + 0.2, 0.3],
    [float, -2, 0],
  ])('snaps %#', (spec, value, expected) => {
    if (spec.slot !== 'widget' || spec.widget.kind !== 'number') throw new Error('expected a number widget');
    expect(snapNumber(spec.widget, value)).toBe(expected);
  });
});
