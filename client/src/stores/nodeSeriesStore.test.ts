import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { useNodeSeriesStore } from './nodeSeriesStore';

describe('nodeSeriesStore', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('collects ti_loss events per node and ignores other events', () => {
    const store = useNodeSeriesStore();
    expect(store.addEvent('ti_loss', { node: '7', prompt_id: 'p', step: 1, loss: 0.9, lr: 0.005 })).toBe('7');
    expect(store.addEvent('ti_loss', { node: '7', prompt_id: 'p', step: 2, loss: 0.7, lr: 0.005 })).toBe('7');
    expect(store.addEvent('ti_loss', { node: '8', prompt_id: 'p', step: 1, loss: 0.5 })).toBe('8');
    expect(store.addEvent('progress', { node: '7', value: 1, max: 2 })).toBeUndefined();
    const series = store.byNode.get('7');
    expect([series?.xs, series?.ys.loss]).toEqual([
      [1, 2],
      [0.9, 0.7],
    ]);
    store.clearNode('7');
    expect(store.byNode.has('7')).toBe(false);
    expect(store.byNode.get('8')?.xs).toEqual([1]);
  });

  it('rebuilds a chart from a finished node output but keeps a fuller live series', () => {
    const store = useNodeSeriesStore();
    store.fillFromOutput('3', { loss: [0.8, 0.6, 0.5], images: [] });
    expect([store.byNode.get('3')?.xs, store.byNode.get('3')?.ys.loss]).toEqual([
      [1, 2, 3],
      [0.8, 0.6, 0.5],
    ]);
    for (const step of [1, 2, 3, 4]) store.addEvent('ti_loss', { node: '4', step, loss: 1 / step });
    store.fillFromOutput('4', { loss: [1, 0.5] });
    expect(store.byNode.get('4')?.xs).toEqual([1, 2, 3, 4]);
    store.fillFromOutput('5', { loss: ['a', 'b'], text: ['x'] });
    expect(store.byNode.has('5')).toBe(false);
  });
});
