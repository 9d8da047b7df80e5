import { describe, expect, it } from 'vitest';
import { createHarness } from '../support/engineHarness';
import { createTestNodes } from '../support/testNodes';

const chain = (value: number, b: number, label = '') => ({
  '1': { class_type: 'TestNumber', inputs: { value } },
  '2': { class_type: 'TestAdd', inputs: { a: ['1', 0], b } },
  '3': { class_type: 'TestOutput', inputs: { value: ['2', 0], label } },
  '4': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
});

describe('output cache', () => {
  it('runs everything once, then nothing for the same prompt', async () => {
    const t = createTestNodes();
    const h = await createHarness(t.nodes);
    const first = await h.run(chain(5, 2));
    expect(first.outcome.status).toBe('success');
    expect(t.log).toEqual(['TestNumber:1', 'TestAdd:2', 'TestOutput:3', 'TestOutput:4']);
    expect(first.outcome.outputs).toEqual({ '3': { values: [7] }, '4': { values: [5] } });
    expect(first.sink.of('execution_cached')[0].nodes).toEqual([]);

    t.log.length = 0;
    const second = await h.run(chain(5, 2));
    expect(t.log).toEqual([]);
    expect(second.sink.executedNodes()).toEqual([]);
    expect(second.sink.of('execution_cached')[0].nodes).toEqual(['1', '2', '3', '4']);
    // Cached output nodes still report their UI output.
    expect(second.outcome.outputs).toEqual({ '3': { values: [7] }, '4': { values: [5] } });
    expect(second.sink.of('executed').map((d) => d.node)).toEqual(['3', '4']);
  });

  it('re-runs only the descendants of a changed widget', async () => {
    const t = createTestNodes();
    const h = await createHarness(t.nodes);
    await h.run(chain(5, 2));
    t.log.length = 0;
    const changed = await h.run(chain(5, 3));
    expect(t.log).toEqual(['TestAdd:2', 'TestOutput:3']);
    expect(changed.sink.of('execution_cached')[0].nodes).toEqual(['1', '4']);
    expect(changed.outcome.outputs['3']).toEqual({ values: [8] });

    t.log.length = 0;
    await h.run(chain(6, 3));
    expect(t.log).toEqual(['TestNumber:1', 'TestAdd:2', 'TestOutput:3', 'TestOutput:4']);
  });

  it('keys on isChanged and re-runs always when it returns NaN', async () => {
    const t = createTestNodes();
    const h = await createHarness(t.nodes);
    const prompt = {
      '1': { class_type: 'TestChanging', inputs: { value: 1 } },
      '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
    };
    await h.run(prompt);
    await h.run(prompt);
    expect(t.log).toEqual(['TestChanging:1', 'TestOutput:2']);
    t.changeToken.value = 'v2';
    await h.run(prompt);
    expect(t.log.slice(2)).toEqual(['TestChanging:1', 'TestOutput:2']);
    t.changeToken.value = Number.NaN;
    await h.run(prompt);
    await h.run(prompt);
    expect(t.log.slice(4)).toEqual(['TestChanging:1', 'TestOutput:2', 'TestChanging:1', 'TestOutput:2']);
  });

  it('runs only output nodes and their ancestors, in dependency order', async () => {
    const t = createTestNodes();
    const h = await createHarness(t.nodes);
    const prompt = {
      '10': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
      '2': { class_type: 'TestAdd', inputs: { a: ['7', 0], b: 1 } },
      '7': { class_type: 'TestNumber', inputs: { value: 1 } },
      '8': { class_type: 'TestNumber', inputs: { value: 9 } },
    };
    const { sink } = await h.run(prompt);
    expect(t.log).toEqual(['TestNumber:7', 'TestAdd:2', 'TestOutput:10']);
    expect(sink.events.map((e) => e.type)).toEqual([
      'execution_start',
      'execution_cached',
      'executing',
      'executing',
      'executing',
      'executed',
      'execution_success',
    ]);
  });

  it('keeps a changed graph small in memory: unused entries are dropped', async () => {
    const t = createTestNodes();
    const h = await createHarness(t.nodes);
    await h.run(chain(5, 2));
    expect(h.executor.cache.size).toBe(4);
    await h.run({
      '1': { class_type: 'TestNumber', inputs: { value: 1 } },
      '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
    });
    expect(h.executor.cache.size).toBe(2);
  });
});
