/**
 * Reads the text chunks (tEXt, zTXt, iTXt) of a PNG file; the one reader of client and server (browser-safe:
 * fflate, no node:zlib). SaveImage stores the UI workflow and the API prompt there as `workflow` and
 * `prompt`, so dropping such a PNG restores its graph. Decoding follows the PNG spec as PIL reads it: tEXt and
 * zTXt are Latin-1, iTXt is UTF-8, and the first chunk of a keyword wins.
 */
import { unzlibSync } from 'fflate';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start with the 8-byte PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

const latin1 = new TextDecoder('latin1');

/** tEXt and zTXt text is Latin-1 (PNG spec); writers put text outside Latin-1 in iTXt (as PIL does). */
function decodeText(bytes: Uint8Array): string {
  return latin1.decode(bytes);
}

function splitKeyword(data: Uint8Array): { keyword: string; rest: Uint8Array } | undefined {
  const nul = data.indexOf(0);
  if (nul <= 0) return undefined;
  return { keyword: latin1.decode(data.subarray(0, nul)), rest: data.subarray(nul + 1) };
}

function readITXt(data: Uint8Array): { keyword: string; text: string } | undefined {
  const head = splitKeyword(data);
  if (!head || head.rest.length < 2) return undefined;
  const compressed = head.rest[0] === 1;
  let rest = head.rest.subarray(2);
  for (let skip = 0; skip < 2; skip++) {
    // language tag, then translated keyword, each NUL-terminated
    const nul = rest.indexOf(0);
    if (nul < 0) return undefined;
    rest = rest.subarray(nul + 1);
  }
  const body = compressed ? unzlibSync(rest) : rest;
  return { keyword: head.keyword, text: new TextDecoder('utf-8').decode(body) };
}

/**
 * Returns every text chunk of a PNG as keyword → text (first occurrence wins).
 * Throws when the bytes are not a PNG; a truncated file yields the chunks read before the cut.
 */
export function readPngTextChunks(bytes: Uint8Array): Record<string, string> {
  if (!isPng(bytes)) throw new Error('not a PNG file: the first 8 bytes are not the PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const texts: Record<string, string> = {};
  let offset = PNG_SIGNATURE.length;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) break;
    const data = bytes.subarray(dataStart, dataEnd);
    let entry: { keyword: string; text: string } | undefined;
    if (type === 'tEXt') {
      const head = splitKeyword(data);
      if (head) entry = { keyword: head.keyword, text: decodeText(head.rest) };
    } else if (type === 'zTXt') {
      const head = splitKeyword(data);
      if (head && head.rest[0] === 0)
        entry = { keyword: head.keyword, text: decodeText(unzlibSync(head.rest.subarray(1))) };
    } else if (type === 'iTXt') {
      entry = readITXt(data);
    }
    if (entry && !(entry.keyword in texts)) texts[entry.keyword] = entry.text;
    if (type === 'IEND') break;
    offset = dataEnd + 4;
  }
  return texts;
}
