/**
 * Nodes that exist only in the browser tests (passed to startStudio as `extraNodes`): one with every kind
 * of widget, and one that always fails. Training runs the real trainer (trainerProgress.test.ts).
 */
import { defineNode, type NodeDefinition } from '../../server/engine/nodeDefinition';

export const WIDGET_KINDS_NODE = 'TestWidgetKinds';
export const FAILING_NODE = 'TestFailing';
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
];
