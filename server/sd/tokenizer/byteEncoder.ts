/**
 * CLIP's (and GPT-2's) reversible byte ↔ character table: byte-level BPE works on strings, so each of the
 * 256 byte values is given a printable character — itself for printable Latin-1, otherwise 256 + n.
 */

function buildTable(): string[] {
  const printable: number[] = [];
  const ranges: Array<[number, number]> = [
    [0x21, 0x7e], // '!'..'~'
    [0xa1, 0xac], // '¡'..'¬'
    [0xae, 0xff], // '®'..'ÿ'
  ];
  for (const [a, b] of ranges) for (let c = a; c <= b; c++) printable.push(c);
  const table = new Array<string>(256);
  let extra = 0;
  for (let byte = 0; byte < 256; byte++) {
    table[byte] = String.fromCodePoint(printable.includes(byte) ? byte : 256 + extra++);
  }
  return table;
}

/** Character of each byte value (index = byte). */
export const BYTE_TO_CHAR: readonly string[] = buildTable();

/** Byte value of each table character. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/**
 * The 256 byte characters in the order CLIP's vocabulary lists them: printable bytes first (ascending),
 * then the remapped ones — the first 256 vocabulary entries.
 */
export const BYTE_CHARS_IN_VOCAB_ORDER: readonly string[] = [...BYTE_TO_CHAR].sort(
  (a, b) => a.codePointAt(0)! - b.codePointAt(0)!,
);

/** UTF-8 bytes of `text` as table characters. */
export function bytesToChars(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) out += BYTE_TO_CHAR[byte];
  return out;
}

/** Table characters back to the text they encode (invalid UTF-8 becomes U+FFFD, as errors="replace"). */
export function charsToText(chars: string): string {
  const bytes: number[] = [];
  for (const c of chars) {
    const b = CHAR_TO_BYTE.get(c);
    if (b !== undefined) bytes.push(b);
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}
