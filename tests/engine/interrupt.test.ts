import { describe, expect, it } from 'vitest';
import { dependencyOrder } from '../../server/engine/promptGraph';
import { createHarness } from '../support/engineHarness';
import { createTestNodes } from '../support/testNodes';

const blocking = (type: 'TestBlock' | 'TestDeaf') => ({
  '1': { class_type: 'TestNumber', inputs: { value: 4 } },
  '2': { class_type: type, inputs: { value: 1 } },
  '3': { class_type: 'TestAdd', inputs: { a: ['2', 0], b: 1 } },
  '4': { class_type: 'TestOutput', inputs: { value: ['3', 0] } },
  '5': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
});

describe('interrupt', () => {
  it('aborts a running node through its signal', async () => {
    const t = createTestNodes();
    const h = await createHarness(t.nodes);
    const running = h.run(blocking('TestBlock'));
    await t.gate.entered;
    expect(h.executor.interrupt('someone-else')).toBe(false);
    expect(h.executor.interrupt()).toBe(true);
    const { outcome, sink } = await running;
    expect(outcome.status).toBe('interrupted');
    expect(t.sawAbort.value).toBe(true);
    expect(sink.of('execution_interrupted')).toEqual([
      expect.objectContaining({ prompt_id: 'p1', node_id: '2', node_type: 'TestBlock', executed: ['1'] }),
    ]);
    expect(sink.of('progress')).toEqual([{ value: 0, max: 2, prompt_id: 'p1', node: '2' }]);
    expect(t.log).toEqual(['TestNumber:1', 'TestBlock:2']);
    expect(outcome.messages.map(([type]) => type)).toEqual([
      'execution_start',
      'execution_cached',
      'execution_interrupted',
    ]);
  });

  it('stops between nodes when a node ignores the signal', async () => {
    const t = createTestNodes();
    const h = await createHarness(t.nodes);
    const running = h.run(blocking('TestDeaf'));
    await t.gate.entered;
    h.executor.interrupt('p1');
    t.gate.open();
    const { outcome, sink } = await running;
    expect(outcome.status).toBe('interrupted');
    expect(t.log).toEqual(['TestNumber:1', 'TestDeaf:2']);
    expect(sink.of('execution_interrupted')[0]).toMatchObject({
      node_id: '3',
      node_type: 'TestAdd',
      executed: ['1', '2'],
    });

    // The next prompt runs, reusing what the interrupted one finished.
    t.log.length = 0;
    const next = await h.run(blocking('TestDeaf'));
    expect(next.outcome.status).toBe('success');
    expect(t.log).toEqual(['TestAdd:3', 'TestOutput:4', 'TestOutput:5']);
  });

  it('emits custom events and progress with prompt id and node', async () => {
    const t = createTestNodes();
    const h = await createHarness(t.nodes);
    t.gate.open();
    const { sink } = await h.run(blocking('TestBlock'));
    expect(sink.of('test_event')).toEqual([{ note: 'released', prompt_id: 'p1', node: '2' }]);
    expect(sink.of('progress').map((d) => d.value)).toEqual([0, 2]);
  });
});

describe('node failure', () => {
  it('becomes execution_error with input summaries, and the executor keeps working', async () => {
    const t = createTestNodes();
    const h = await createHarness(t.nodes);
    const prompt = {
      '1': { class_type: 'TestNumber', inputs: { value: 3 } },
      '2': { class_type: 'TestFail', inputs: { value: ['1', 0], note: 'too odd' } },
      '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
    };
    const { outcome, sink } = await h.run(prompt);
    expect(outcome.status).toBe('error');
    const [error] = sink.of('execution_error');
    expect(error).toMatchObject({
      prompt_id: 'p1',
      node_id: '2',
      node_type: 'TestFail',
      executed: ['1'],
      exception_message: 'refusing value 3: too odd',
      exception_type: 'RangeError',
      current_inputs: { value: ['3'], note: ['too odd'] },
      current_outputs: ['1'],
    });
    expect((error.traceback as string[])[0]).toContain('RangeError: refusing value 3');

    const ok = await h.run({
      '1': prompt['1'],
      '3': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
    });
    expect(ok.outcome.status).toBe('success');
    expect(ok.outcome.outputs).toEqual({ '3': { values: [3] } });
  });
});

describe('cycle rejection', () => {
  it('refuses to order a cyclic graph', () => {
    const graph = { a: { inputs: { x: ['b', 0] } }, b: { inputs: { x: ['a', 0] } }, c: { inputs: {} } };
    expect(() => dependencyOrder(graph, new Set(['a', 'b', 'c']))).toThrow(
      /dependency cycle among nodes a, b/,
    );
  });
});
