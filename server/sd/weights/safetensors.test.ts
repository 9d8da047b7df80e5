import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from './safetensorsFile';
import { encodeSafetensors, writeSafetensors } from './safetensorsWriter';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safetensors-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A safetensors file built from a raw header object and data bytes. */
function rawFile(name: string, header: unknown, data: Uint8Array, lengthOverride?: bigint): string {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(bytes.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.byteLength), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.byteLength);
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('safetensors round trip', () => {
  it('writes and lazily reads every dtype, metadata and element ranges', async () => {
    const file = path.join(dir, 'round.safetensors');
    const values = Float32Array.from({ length: 12 }, (_, i) => (i - 5) * 0.375);
    await writeSafetensors(
      file,
      [
        { name: 'a.f32', dtype: 'F32', shape: [3, 4], data: values },
        { name: 'b.f16', dtype: 'F16', shape: [12], data: () => values },
        { name: 'c.bf16', dtype: 'BF16', shape: [2, 6], data: values },
        { name: 'd.i64', dtype: 'I64', shape: [2], data: BigInt64Array.of(-7n, 1234567n) },
        { name: 'e.scalar', dtype: 'F32', shape: [], data: Float32Array.of(2.5) },
      ],
      { format: 'pt', note: 'hello' },
    );
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const st = SafetensorsFile.open(file);
    expect(st.names()).toEqual(['a.f32', 'b.f16', 'c.bf16', 'd.i64', 'e.scalar']);
    expect(st.metadata).toEqual({ format: 'pt', note: 'hello' });
    expect(st.shape('c.bf16')).toEqual([2, 6]);
    expect(st.dtype('b.f16')).toBe('F16');
    // multiples of 1/8 within range are exact in every float type
    for (const name of ['a.f32', 'b.f16', 'c.bf16']) expect([...st.readFloat32(name)]).toEqual([...values]);
    expect([...st.readFloat32('a.f32', 4, 4)]).toEqual([...values.subarray(4, 8)]);
    expect([...st.readFloat32('b.f16', 10, 2)]).toEqual([...values.subarray(10, 12)]);
    expect([...st.readFloat32('d.i64')]).toEqual([-7, 1234567]);
    expect([...st.readFloat32('e.scalar')]).toEqual([2.5]);
    // the header is padded to a multiple of 8, so data starts aligned
    expect(st.info('a.f32').begin % 8).toBe(0);
    expect(() => st.readFloat32('a.f32', 10, 4)).toThrow(
      /element range 10..14 is outside tensor "a.f32" \(12 elements\)/,
    );
    st.close();
    // reads after close reopen the file
    expect(st.readFloat32('e.scalar')[0]).toBe(2.5);
    st.close();
  });

  it('encodes in memory exactly what the streaming writer writes', async () => {
    const entries = [{ name: 'x', dtype: 'F16' as const, shape: [3], data: Float32Array.of(1, 0.1, -65504) }];
    const file = path.join(dir, 'mem.safetensors');
    await writeSafetensors(file, entries, { k: 'v' });
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(encodeSafetensors(entries, { k: 'v' })))).toBe(
      0,
    );
  });

  it('refuses data that does not fit the declared shape', () => {
    expect(() =>
      encodeSafetensors([{ name: 'x', dtype: 'F32', shape: [2, 2], data: new Float32Array(3) }]),
    ).toThrow(/tensor "x": 12 bytes of data for F32 \[2, 2\], expected 16/);
    expect(() =>
      encodeSafetensors([{ name: 'x', dtype: 'I32', shape: [1], data: new Float32Array(1) }]),
    ).toThrow(/float32 data cannot be stored as I32/);
  });
});

describe('safetensors validation', () => {
  const f32 = (n: number) => new Uint8Array(new Float32Array(n).buffer);

  it('names the tensor and sizes when the header claims more bytes than the file holds', () => {
    const file = rawFile(
      'oversize.safetensors',
      { big: { dtype: 'F32', shape: [100], data_offsets: [0, 400] } },
      f32(10),
    );
    expect(() => SafetensorsFile.open(file)).toThrow(
      /tensor "big" claims bytes 0..400 of the data section, but the file holds only 40 data bytes .*truncated/,
    );
  });

  it('reports a truncated file whose header length exceeds the file', () => {
    const file = rawFile(
      'truncated.safetensors',
      { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
      f32(1),
      5000n,
    );
    expect(() => SafetensorsFile.open(file)).toThrow(
      /header claims 5000 bytes but the file holds only \d+ .*truncated/,
    );
  });

  it('reports files too short to hold a header', () => {
    const file = path.join(dir, 'tiny.safetensors');
    fs.writeFileSync(file, new Uint8Array(5));
    expect(() => SafetensorsFile.open(file)).toThrow(/has 5 bytes, too short for a safetensors header/);
  });

  it('rejects an absurd header length', () => {
    const file = rawFile('huge-header.safetensors', {}, new Uint8Array(0), 1n << 40n);
    expect(() => SafetensorsFile.open(file)).toThrow(/exceeds the 104857600-byte limit/);
  });

  it.each([
    [
      'a byte range that does not match dtype × shape',
      { t: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } },
      /needs 8 bytes but its data_offsets \[0, 4\] span 4/,
    ],
    [
      'an unknown dtype',
      { t: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } },
      /tensor "t" has an invalid header entry \(dtype/,
    ],
    [
      'a negative dimension',
      { t: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } },
      /tensor "t" has an invalid header entry \(shape/,
    ],
    [
      'overlapping tensors',
      {
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      },
      /"a" and "b" overlap/,
    ],
    ['non-string metadata', { __metadata__: { n: 1 } }, /__metadata__ must map strings to strings/],
  ])('rejects %s', (_, header, message) => {
    const file = rawFile('bad.safetensors', header, f32(4));
    expect(() => SafetensorsFile.open(file)).toThrow(message);
  });

  it('rejects a header that is not JSON', () => {
    const json = new TextEncoder().encode('{"a": ');
    const bytes = new Uint8Array(8 + json.byteLength);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.byteLength), true);
    bytes.set(json, 8);
    const file = path.join(dir, 'notjson.safetensors');
    fs.writeFileSync(file, bytes);
    expect(() => SafetensorsFile.open(file)).toThrow(/header is not valid UTF-8 JSON/);
  });

  it('fails cleanly when the file shrinks after opening', () => {
    const file = rawFile(
      'shrink.safetensors',
      { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } },
      f32(4),
    );
    const st = SafetensorsFile.open(file);
    fs.truncateSync(file, fs.statSync(file).size - 8);
    expect(() => st.readFloat32('a')).toThrow(/file ended after \d+ bytes while reading 16 bytes/);
    st.close();
  });
});
