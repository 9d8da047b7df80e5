/**
 * Nodes that exist only in the browser tests (passed to startStudio as `extraNodes`): one with every kind
 * of widget, one that always fails, and one that outputs a number. Training runs the real trainer (trainerProgress.test.ts).
 */
import { defineNode, type NodeDefinition } from '../../server/engine/nodeDefinition';

export const WIDGET_KINDS_NODE = 'TestWidgetKinds';
export const FAILING_NODE = 'TestFailing';
/** Outputs its `value` widget as an INT (a link source for a widget converted to an input). */
export const NUMBER_NODE = 'TestNumber';
export const FAILURE_MESSAGE = 'the test node fails on purpose; remove it from the graph';

export const testNodes: readonly NodeDefinition[] = [
  defineNode({
    type: WIDGET_KINDS_NODE,
    displayName: 'Widget Kinds (test)',
    category: 'testing',
    description: 'Echoes every widget value back as text.',
    outputNode: true,
    inputs: {
      required: {
        text: ['STRING', { multiline: true, default: 'a photo of <cat-toy> on a beach' }],
        seed: ['INT', { default: 42, min: 0, max: 2 ** 32 - 1, control_after_generate: true }],
        cfg: ['FLOAT', { default: 7.5, min: 0, max: 30, step: 0.5 }],
        enabled: ['BOOLEAN', { default: true }],
        sampler: [['euler', 'ddim', 'dpmpp_2m'], { default: 'ddim' }],
      },
    },
    outputs: [],
    execute: (inputs) => ({
      ui: {
        text: [
          `${String(inputs.sampler)} · seed ${String(inputs.seed)} · cfg ${String(inputs.cfg)} · ${String(inputs.text)}`,
        ],
      },
    }),
  }),
  defineNode({
    type: FAILING_NODE,
    displayName: 'Failing (test)',
    category: 'testing',
    outputNode: true,
    inputs: { required: { images: ['IMAGE'] } },
    outputs: [],
    execute: () => {
      throw new Error(FAILURE_MESSAGE);
    },
  }),
  defineNode({
    type: NUMBER_NODE,
    displayName: 'Number (test)',
    category: 'testing',
    inputs: { required: { value: ['INT', { default: 7, min: 0, max: 1_000_000 }] } },
    outputs: [{ type: 'INT', name: 'INT' }],
    execute: (inputs) => ({ outputs: [Number(inputs.value)] }),
  }),
];
