/**
 * PNG text metadata: insert `tEXt` chunks (or `iTXt` for text outside Latin-1, as PIL does) after IHDR,
 * and read back `tEXt`/`iTXt`/`zTXt`. This is how saved images carry the workflow and prompt.
 */
import { crc32, inflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  const typeAndBody = out.subarray(4, 8 + body.length);
  typeAndBody.set(Buffer.from(type, 'latin1'), 0);
  typeAndBody.set(body, 4);
  view.setUint32(8 + body.length, crc32(typeAndBody));
  return out;
}

/** `tEXt` when key and text are Latin-1, otherwise uncompressed `iTXt` (UTF-8). */
export function textChunk(keyword: string, text: string): Uint8Array {
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword)) {
    throw new Error(`PNG text keyword ${JSON.stringify(keyword)} must be 1–79 printable Latin-1 characters`);
  }
  const key = Buffer.from(keyword, 'latin1');
  if (/^[\x00-\xff]*$/.test(text)) {
    return chunk('tEXt', Buffer.concat([key, Buffer.from([0]), Buffer.from(text, 'latin1')]));
  }
  // keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, text
  return chunk('iTXt', Buffer.concat([key, Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
}

/** Returns a copy of `png` with one text chunk per entry inserted right after IHDR. */
export function insertPngTextChunks(png: Uint8Array, texts: Record<string, string>): Uint8Array {
  if (!isPng(png)) throw new Error('insertPngTextChunks: the bytes are not a PNG (bad signature)');
  const ihdrLength = new DataView(png.buffer, png.byteOffset, png.byteLength).getUint32(8);
  const afterIhdr = 8 + 12 + ihdrLength;
  const chunks = Object.entries(texts).map(([key, value]) => textChunk(key, value));
  return Buffer.concat([png.subarray(0, afterIhdr), ...chunks, png.subarray(afterIhdr)]);
}

/** All text chunks of a PNG as keyword → text (later chunks win); {} for a non-PNG. */
export function readPngTextChunks(png: Uint8Array): Record<string, string> {
  const texts: Record<string, string> = {};
  if (!isPng(png)) return texts;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let offset = 8;
  while (offset + 12 <= png.length) {
    const length = view.getUint32(offset);
    const type = latin1.decode(png.subarray(offset + 4, offset + 8));
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (offset + 12 + length > png.length) break;
    const nul = body.indexOf(0);
    if (nul > 0) {
      const keyword = latin1.decode(body.subarray(0, nul));
      if (type === 'tEXt') texts[keyword] = latin1.decode(body.subarray(nul + 1));
      else if (type === 'zTXt') texts[keyword] = latin1.decode(inflateSync(body.subarray(nul + 2)));
      else if (type === 'iTXt') {
        const compressed = body[nul + 1] === 1;
        let rest = body.subarray(nul + 3);
        for (let skip = 0; skip < 2; skip += 1) rest = rest.subarray(rest.indexOf(0) + 1); // language, translated keyword
        texts[keyword] = utf8.decode(compressed ? inflateSync(rest) : rest);
      }
    }
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  return texts;
}
