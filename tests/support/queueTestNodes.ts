/**
 * Slow nodes for the queue-mode tests, loaded by the server (`extraNodes`) and by worker processes
 * (`--extra-nodes tests/support/queueTestNodes.ts`): a prompt that takes `ms`, reports ten progress steps
 * and stops at once when interrupted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { defineNode, type NodeDefinition } from '../../server/engine/nodeDefinition';

export const nodes: NodeDefinition[] = [
  defineNode({
    type: 'TestSleep',
    category: 'test',
    outputNode: true,
    inputs: {
      required: {
        ms: ['INT', { default: 100, min: 0, max: 600_000 }],
        value: ['INT', { default: 0, min: 0, max: 1_000_000 }],
      },
    },
    outputs: [],
    execute: async (inputs, ctx) => {
      const steps = 10;
      for (let step = 1; step <= steps; step += 1) {
        await sleep(Number(inputs.ms) / steps, undefined, { signal: ctx.signal });
        ctx.progress(step, steps);
      }
      return { ui: { values: [inputs.value] } };
    },
  }),
];

/** One TestSleep node as a whole prompt. */
export function sleepPrompt(ms: number, value: number): Record<string, unknown> {
  return { '1': { class_type: 'TestSleep', inputs: { ms, value } } };
}
