import { describe, expect, it } from 'vitest';
import { CHART_EVENTS, chartPointFromEvent, imagesFromEvent } from './nodeEventTables';

describe('chartPointFromEvent', () => {
  const spec = CHART_EVENTS.ti_loss!;

  it('reads node, step and loss of a ti_loss event', () => {
    expect(chartPointFromEvent(spec, { node: '12', prompt_id: 'p', step: 7, loss: 0.125, lr: 5e-3 })).toEqual(
      {
        nodeId: '12',
        x: 7,
        values: { loss: 0.125 },
      },
    );
  });

  it('skips a non-finite value but keeps the point', () => {
    expect(chartPointFromEvent(spec, { node: 3, step: 1, loss: Number.NaN })).toEqual({
      nodeId: '3',
      x: 1,
      values: {},
    });
  });

  it.each([[{ step: 1, loss: 1 }], [{ node: '1', loss: 1 }], [{ node: '1', step: 'one', loss: 1 }]])(
    'ignores %j',
    (data) => expect(chartPointFromEvent(spec, data)).toBeUndefined(),
  );
});

describe('imagesFromEvent', () => {
  const file = { filename: 'p.png', subfolder: 'ti', type: 'temp' as const };
  it.each([
    [
      { node: '4', image: file },
      { nodeId: '4', images: [file] },
    ],
    [
      { node: 4, images: [file, file] },
      { nodeId: '4', images: [file, file] },
    ],
    [{ node: '4' }, undefined],
    [{ image: file }, undefined],
  ])('%j → %j', (data, expected) => expect(imagesFromEvent(data)).toEqual(expected));
});
