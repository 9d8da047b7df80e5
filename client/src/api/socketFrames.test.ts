import { describe, expect, it } from 'vitest';
import { parseSocketFrame } from './socketFrames';

function binary(eventType: number, format: number, payload: number[]): ArrayBuffer {
  const buf = new ArrayBuffer(8 + payload.length);
  const view = new DataView(buf);
  view.setUint32(0, eventType);
  view.setUint32(4, format);
  new Uint8Array(buf, 8).set(payload);
  return buf;
}

describe('parseSocketFrame', () => {
  it('types a known event', () => {
    const frame = parseSocketFrame(
      JSON.stringify({ type: 'progress', data: { node: '3', prompt_id: 'p', value: 4, max: 20 } }),
    );
    expect(frame).toEqual({
      kind: 'event',
      event: { type: 'progress', data: { node: '3', prompt_id: 'p', value: 4, max: 20 } },
    });
  });

  it('passes an unknown event through as custom', () => {
    const data = { node: '7', prompt_id: 'p', step: 3, loss: 0.25 };
    expect(parseSocketFrame(JSON.stringify({ type: 'my_metric', data }))).toEqual({
      kind: 'custom',
      type: 'my_metric',
      data,
    });
  });

  it('reports a known event with bad data, naming the type', () => {
    const frame = parseSocketFrame(JSON.stringify({ type: 'progress', data: { node: 3 } }));
    expect(frame.kind).toBe('invalid');
    expect(frame.kind === 'invalid' && frame.reason).toMatch(/bad "progress" event/);
  });

  it.each([
    [2, 'image/png'],
    [1, 'image/jpeg'],
  ])('decodes a binary preview with format %d as %s', (format, mime) => {
    const frame = parseSocketFrame(binary(1, format, [9, 8, 7]));
    expect(frame.kind === 'preview' && [frame.mime, [...frame.bytes]]).toEqual([mime, [9, 8, 7]]);
  });

  it.each([
    [binary(2, 1, []), /unknown binary event type 2/],
    [binary(1, 5, []), /unknown preview image format 5/],
    [new ArrayBuffer(3), /shorter than its 8-byte header/],
    ['not json', /not JSON/],
    [JSON.stringify({ type: 'status' }), /not \{type, data\}/],
  ])('rejects %s', (raw, reason) => {
    const frame = parseSocketFrame(raw);
    expect(frame.kind === 'invalid' && frame.reason).toMatch(reason);
  });
});
