import { describe, expect, it } from 'vitest';
import { PickleDict, PickleTuple, TensorRef, unpickle, UnsafePickleError } from './restrictedUnpickler';

const enc = (s: string) => [...new TextEncoder().encode(s)];
const short = (s: string) => [0x8c, enc(s).length, ...enc(s)]; // SHORT_BINUNICODE

describe('restricted unpickler: data opcodes', () => {
  it('reads protocol-4 framing, memo and scalar opcodes as Python would', () => {
    const float = new Uint8Array(8);
    new DataView(float.buffer).setFloat64(0, -1.25, false);
    // prettier-ignore
    const pickle = Uint8Array.from([
      0x80, 4, 0x95, 0, 0, 0, 0, 0, 0, 0, 0, // PROTO 4, FRAME
      0x7d, 0x94, // EMPTY_DICT, MEMOIZE (memo 0)
      0x28, // MARK
      ...short('neg'), 0x4a, ...new Uint8Array(Int32Array.of(-7).buffer),
      ...short('big'), 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, // LONG1 2^64
      ...short('f'), 0x47, ...float,
      ...short('list'), 0x5d, 0x94, 0x28, 0x4b, 1, 0x4d, 0x00, 0x01, 0x4e, 0x88, 0x65, // [1, 256, None, True]
      ...short('tup'), 0x68, 1, 0x55, 2, ...enc('ab'), 0x86, // (memo 1 = the list, 'ab')
      ...short('bytes'), 0x43, 3, 1, 2, 3,
      0x75, // SETITEMS
      0x2e,
    ]);
    const root = unpickle(pickle, 'test') as PickleDict;
    expect(root).toBeInstanceOf(PickleDict);
    expect(root.keys()).toEqual(['neg', 'big', 'f', 'list', 'tup', 'bytes']);
    expect(root.get('neg')).toBe(-7);
    expect(root.get('big')).toBe(2n ** 64n);
    expect(root.get('f')).toBe(-1.25);
    expect(root.get('list')).toEqual([1, 256, null, true]);
    const tup = root.get('tup') as PickleTuple;
    expect(tup.items[0]).toBe(root.get('list'));
    expect(tup.items[1]).toBe('ab');
    expect(root.get('bytes')).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('rebuilds tensor views and drops state_dict metadata set by BUILD on an OrderedDict', () => {
    const g = (m: string, n: string) => [0x63, ...enc(`${m}\n${n}\n`)];
    // prettier-ignore
    const pickle = Uint8Array.from([
      0x80, 2, ...g('collections', 'OrderedDict'), 0x29, 0x52, // OrderedDict()
      ...short('w'), ...g('torch._utils', '_rebuild_tensor_v2'), 0x28,
      0x28, ...short('storage'), ...g('torch', 'LongStorage'), ...short('7'), ...short('cpu'), 0x4b, 6, 0x74, 0x51,
      0x4b, 2, 0x4b, 2, 0x4b, 2, 0x86, 0x4b, 2, 0x4b, 1, 0x86, 0x89, 0x4e, 0x74, 0x52, // offset 2, size (2,2), stride (2,1)
      0x73, // SETITEM
      0x7d, ...short('_metadata'), 0x7d, 0x73, 0x62, // BUILD {'_metadata': {}}
      0x2e,
    ]);
    const root = unpickle(pickle, 'sd') as PickleDict;
    const w = root.get('w') as TensorRef;
    expect(w).toBeInstanceOf(TensorRef);
    expect([w.storage.storageType, w.storage.key, w.storage.numel, w.offset, w.shape, w.stride]).toEqual([
      'torch.LongStorage',
      '7',
      6,
      2,
      [2, 2],
      [2, 1],
    ]);
  });

  it.each([
    ['a truncated stream', Uint8Array.from([0x80, 2, 0x58, 10, 0, 0, 0, 0x61]), /pickle ends unexpectedly/],
    ['an undefined memo entry', Uint8Array.from([0x80, 2, 0x68, 5, 0x2e]), /memo 5 is undefined/],
    ['an empty stack', Uint8Array.from([0x80, 2, 0x2e]), /stack underflow/],
  ])('fails cleanly on %s', (_, bytes, message) => {
    expect(() => unpickle(bytes, 'bad')).toThrow(message);
  });

  it('refuses BUILD on anything but a dict', () => {
    const bytes = Uint8Array.from([0x80, 2, 0x5d, 0x7d, 0x62, 0x2e]);
    expect(() => unpickle(bytes, 'x')).toThrow(UnsafePickleError);
  });
});
