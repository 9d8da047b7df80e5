import { describe, expect, it } from 'vitest';
import { zlibSync } from 'fflate';
import sharp from 'sharp';
import { isPng, readPngTextChunks } from './pngTextChunks';

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf8 = (s: string) => new TextEncoder().encode(s);

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(latin1(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Inserts chunks right after IHDR of a real PNG encoded by sharp. */
async function pngWith(...extra: Uint8Array[]): Promise<Uint8Array> {
  const png = new Uint8Array(
    await sharp({ create: { width: 2, height: 2, channels: 3, background: '#336699' } })
      .png()
      .toBuffer(),
  );
  const ihdrEnd = 8 + 12 + 13;
  return concat(png.subarray(0, ihdrEnd), ...extra, png.subarray(ihdrEnd));
}

describe('readPngTextChunks', () => {
  it('reads tEXt and zTXt as Latin-1 and iTXt as UTF-8 (PNG spec, as PIL); the first keyword wins', async () => {
    const workflow = JSON.stringify({ nodes: [{ id: 3, title: 'Grüße ✓' }] });
    const prompt = JSON.stringify({ '3': { class_type: 'SaveImage', inputs: {} } });
    const bytes = await pngWith(
      chunk('iTXt', concat(latin1('workflow\0'), new Uint8Array([0, 0]), latin1('\0\0'), utf8(workflow))),
      chunk('zTXt', concat(latin1('prompt\0'), new Uint8Array([0]), zlibSync(utf8(prompt)))),
      chunk('iTXt', concat(latin1('note\0'), new Uint8Array([0, 0]), latin1('en\0\0'), utf8('héllo'))),
      chunk('tEXt', concat(latin1('title\0'), latin1('Grüße'))),
      chunk('tEXt', concat(latin1('utf8InText\0'), utf8('ü'))),
      chunk('tEXt', concat(latin1('note\0'), latin1('second'))),
    );
    expect(isPng(bytes)).toBe(true);
    const texts = readPngTextChunks(bytes);
    expect(JSON.parse(texts.workflow ?? '')).toEqual({ nodes: [{ id: 3, title: 'Grüße ✓' }] });
    expect(JSON.parse(texts.prompt ?? '')).toEqual({ '3': { class_type: 'SaveImage', inputs: {} } });
    expect(texts.note).toBe('héllo');
    expect(texts.title).toBe('Grüße');
    expect(texts.utf8InText).toBe('Ã¼');
  });

  it('decodes Latin-1 text that is not valid UTF-8', async () => {
    const bytes = await pngWith(
      chunk('tEXt', concat(latin1('Comment\0'), new Uint8Array([0x63, 0x61, 0x66, 0xe9]))),
    );
    expect(readPngTextChunks(bytes).Comment).toBe('café');
  });

  it('reads iTXt with a compressed body', async () => {
    const bytes = await pngWith(
      chunk(
        'iTXt',
        concat(latin1('workflow\0'), new Uint8Array([1, 0]), latin1('\0\0'), zlibSync(utf8('{"a":1}'))),
      ),
    );
    expect(readPngTextChunks(bytes)).toEqual({ workflow: '{"a":1}' });
  });

  it('returns no text for a PNG without text chunks and rejects non-PNG bytes', async () => {
    expect(readPngTextChunks(await pngWith())).toEqual({});
    expect(() => readPngTextChunks(utf8('{"nodes": []}'))).toThrow(/not a PNG/);
  });

  it('keeps the chunks read before a truncation', async () => {
    const full = await pngWith(
      chunk('tEXt', latin1('workflow\0{}')),
      chunk('tEXt', latin1('prompt\0{"x":2}')),
    );
    const cut = full.subarray(0, 8 + 25 + 12 + 11 + 6);
    expect(readPngTextChunks(cut)).toEqual({ workflow: '{}' });
  });
});
