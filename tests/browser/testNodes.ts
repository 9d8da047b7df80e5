/**
 * Nodes that exist only in the browser tests (passed to startStudio as `extraNodes`): one with every kind
 * of widget, and a fake trainer that reports progress and `ti_loss` events like issue 5's trainer will.
 */
import { defineNode, type NodeDefinition } from '../../server/engine/nodeDefinition';

export const WIDGET_KINDS_NODE = 'TestWidgetKinds';
export const FAKE_TRAINER_NODE = 'TestFakeTrainer';
export const FAILING_NODE = 'TestFailing';
export const FAILURE_MESSAGE = 'the test node fails on purpose; remove it from the graph';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

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
    type: FAKE_TRAINER_NODE,
    displayName: 'Fake Trainer (test)',
    category: 'testing',
    description: 'Passes its image through after `steps` steps, reporting progress and a falling loss.',
    inputs: {
      required: {
        images: ['IMAGE'],
        steps: ['INT', { default: 24, min: 1, max: 1000 }],
        step_ms: ['INT', { default: 80, min: 0, max: 5000 }],
      },
    },
    outputs: [{ type: 'IMAGE' }],
    execute: async (inputs, ctx) => {
      const steps = Number(inputs.steps);
      for (let step = 1; step <= steps; step++) {
        ctx.throwIfInterrupted();
        await sleep(Number(inputs.step_ms), ctx.signal);
        // a decaying loss with a deterministic wobble, so the chart has a recognisable shape
        const loss = 0.1 + 0.9 * Math.exp(-step / 6) + 0.03 * Math.sin(step * 1.7);
        ctx.emit('ti_loss', { step, loss, lr: 5e-3 });
        ctx.progress(step, steps);
      }
      return { outputs: [inputs.images] };
    },
  }),
];
