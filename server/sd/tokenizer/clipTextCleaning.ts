/**
 * CLIP's text preparation before BPE: a subset of ftfy's fixes (NFC, straight quotes, Latin ligatures,
 * full-width ASCII), `html.unescape` twice, whitespace collapsed and stripped, lower-case; then the
 * pre-split regex of OpenAI's tokenizer (special tokens, contractions, letter runs, single digits, runs of
 * other symbols).
 */
import { htmlUnescape } from './htmlUnescape';

const QUOTES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
};

const LIGATURES: Record<string, string> = {
  '\ufb00': 'ff',
  '\ufb01': 'fi',
  '\ufb02': 'fl',
  '\ufb03': 'ffi',
  '\ufb04': 'ffl',
  '\ufb05': 'ſt',
  '\ufb06': 'st',
};

/** The ftfy fixes that change CLIP tokens for typical prompts. */
export function fixText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u2018-\u201f]/g, (c) => QUOTES[c] ?? c)
    .replace(/[\ufb00-\ufb06]/g, (c) => LIGATURES[c] ?? c)
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

/** ftfy subset + double html unescape + whitespace collapse + strip, as CLIP's basic/whitespace clean. */
export function cleanText(text: string): string {
  return htmlUnescape(htmlUnescape(fixText(text)))
    .trim()
    .replace(/\s+/g, ' ')
    .trim();
}

/** OpenAI CLIP's pre-tokenization pattern (case-insensitive). */
export const CLIP_SPLIT_PATTERN =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** Cleaned, lower-cased pieces of `text` that BPE encodes one by one. */
export function splitForBpe(text: string): string[] {
  return cleanText(text).toLowerCase().match(CLIP_SPLIT_PATTERN) ?? [];
}
