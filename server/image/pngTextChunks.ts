/**
 * PNG text metadata: insert `tEXt` chunks (or `iTXt` for text outside Latin-1, as PIL does) after IHDR.
 * This is how saved images carry the workflow and prompt; protocol/pngTextChunks.ts reads them back.
 */
import { crc32 } from 'node:zlib';
import { isPng } from '../../protocol/pngTextChunks';

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
