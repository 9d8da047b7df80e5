/**
 * Test-only node declarations (never listed in nodes/index.ts). `createTestNodes()` returns fresh nodes
 * plus a log of executions and a gate that blocking nodes wait on, so each test owns its state.
 */
import { defineNode, type NodeDefinition } from '../../server/engine/nodeDefinition';

export interface Gate {
  /** Resolves when `open()` is called. */
  readonly opened: Promise<void>;
  open(): void;
  /** Resolves once a blocking node has started waiting. */
  readonly entered: Promise<void>;
}

function createGate(): Gate & { enter(): void } {
  let open = (): void => undefined;
  let enter = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const entered = new Promise<void>((resolve) => (enter = resolve));
  return { opened, open, entered, enter };
}

export interface TestNodes {
  nodes: NodeDefinition[];
  /** `class_type:node id` of every execute() call, in order. */
  log: string[];
  gate: Gate;
  /** Value `TestChanging.isChanged` returns; tests mutate it. */
  changeToken: { value: unknown };
  /** Set by TestBlock when it saw its signal abort. */
  sawAbort: { value: boolean };
}

export function createTestNodes(): TestNodes {
  const log: string[] = [];
  const gate = createGate();
  const changeToken: { value: unknown } = { value: 'v1' };
  const sawAbort = { value: false };
  const nodes: NodeDefinition[] = [
    defineNode({
      type: 'TestNumber',
      category: 'test',
      inputs: { required: { value: ['INT', { default: 1, min: 0, max: 100 }] } },
      outputs: [{ type: 'INT' }],
      execute: (inputs, ctx) => {
        log.push(`TestNumber:${ctx.nodeId}`);
        return { outputs: [inputs.value] };
      },
    }),
    defineNode({
      type: 'TestAdd',
      category: 'test',
      inputs: {
        required: { a: ['INT', { forceInput: true }], b: ['INT', { default: 0, min: -100, max: 100 }] },
      },
      outputs: [{ type: 'INT' }],
      execute: (inputs, ctx) => {
        log.push(`TestAdd:${ctx.nodeId}`);
        return { outputs: [Number(inputs.a) + Number(inputs.b)] };
      },
    }),
    defineNode({
      type: 'TestText',
      category: 'test',
      inputs: {
        required: {
          text: ['STRING', { multiline: true, default: '' }],
          mode: [['upper', 'lower'], { default: 'upper' }],
          enabled: ['BOOLEAN', { default: true }],
          scale: ['FLOAT', { default: 1, min: 0, max: 2, step: 0.1 }],
        },
      },
      outputs: [{ type: 'STRING' }],
      execute: (inputs, ctx) => {
        log.push(`TestText:${ctx.nodeId}`);
        const text = String(inputs.text);
        return { outputs: [inputs.mode === 'upper' ? text.toUpperCase() : text.toLowerCase()] };
      },
    }),
    defineNode({
      type: 'TestNeedsImage',
      category: 'test',
      inputs: { required: { image: ['IMAGE'] } },
      outputs: [{ type: 'IMAGE' }],
      execute: (inputs) => ({ outputs: [inputs.image] }),
    }),
    defineNode({
      type: 'TestEven',
      category: 'test',
      inputs: { required: { value: ['INT', { default: 2 }] } },
      outputs: [{ type: 'INT' }],
      validateInputs: (inputs) =>
        Number(inputs.value) % 2 === 0 ? true : `value ${String(inputs.value)} is odd; use an even number`,
      execute: (inputs) => ({ outputs: [inputs.value] }),
    }),
    defineNode({
      type: 'TestChanging',
      category: 'test',
      inputs: { required: { value: ['INT', { default: 0 }] } },
      outputs: [{ type: 'INT' }],
      isChanged: () => changeToken.value,
      execute: (inputs, ctx) => {
        log.push(`TestChanging:${ctx.nodeId}`);
        return { outputs: [inputs.value] };
      },
    }),
    defineNode({
      type: 'TestOutput',
      category: 'test',
      outputNode: true,
      inputs: {
        required: { value: ['INT', { forceInput: true }] },
        optional: { label: ['STRING', { default: '' }] },
      },
      outputs: [],
      execute: (inputs, ctx) => {
        log.push(`TestOutput:${ctx.nodeId}`);
        return { ui: { values: [inputs.value] } };
      },
    }),
    defineNode({
      type: 'TestTextOutput',
      category: 'test',
      outputNode: true,
      inputs: { required: { text: ['STRING', { forceInput: true }] } },
      outputs: [],
      execute: (inputs, ctx) => {
        log.push(`TestTextOutput:${ctx.nodeId}`);
        return { ui: { text: [inputs.text] } };
      },
    }),
    defineNode({
      type: 'TestBlock',
      category: 'test',
      description: 'Waits for the gate or an interrupt, reporting progress while it waits.',
      inputs: { required: { value: ['INT', { default: 0 }] } },
      outputs: [{ type: 'INT' }],
      execute: async (inputs, ctx) => {
        log.push(`TestBlock:${ctx.nodeId}`);
        ctx.progress(0, 2);
        gate.enter();
        await new Promise<void>((resolve) => {
          void gate.opened.then(resolve);
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        if (ctx.signal.aborted) sawAbort.value = true;
        ctx.throwIfInterrupted();
        ctx.emit('test_event', { note: 'released' });
        ctx.progress(2, 2, { format: 'JPEG', data: Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]) });
        return { outputs: [inputs.value] };
      },
    }),
    defineNode({
      type: 'TestDeaf',
      category: 'test',
      description:
        'Waits for the gate and ignores interrupts (so only the between-nodes check can stop the prompt).',
      inputs: { required: { value: ['INT', { default: 0 }] } },
      outputs: [{ type: 'INT' }],
      execute: async (inputs, ctx) => {
        log.push(`TestDeaf:${ctx.nodeId}`);
        gate.enter();
        await gate.opened;
        return { outputs: [inputs.value] };
      },
    }),
    defineNode({
      type: 'TestFail',
      category: 'test',
      inputs: { required: { value: ['INT', { forceInput: true }], note: ['STRING', { default: 'boom' }] } },
      outputs: [{ type: 'INT' }],
      execute: (inputs) => {
        throw new RangeError(`refusing value ${String(inputs.value)}: ${String(inputs.note)}`);
      },
    }),
  ];
  return { nodes, log, gate, changeToken, sawAbort };
}
