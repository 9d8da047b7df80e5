/**
 * Byte-pair merging of one pre-split piece: start from its byte characters (the last one marked with
 * `</w>`), repeatedly merge the adjacent pair with the lowest merge rank, stop when no pair is ranked.
 */
import { bytesToChars } from './byteEncoder';

export const WORD_END = '</w>';

/** Merges "a b" → rank, lower first. */
export class BytePairEncoder {
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, readonly string[]>();

  constructor(merges: ReadonlyArray<readonly [string, string]>) {
    merges.forEach(([a, b], rank) => {
      const key = `${a} ${b}`;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
    });
  }

  /** BPE symbols of one piece of text (already cleaned and split). */
  encodePiece(piece: string): readonly string[] {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    const chars = [...bytesToChars(piece)];
    if (chars.length === 0) return [];
    chars[chars.length - 1] += WORD_END;
    let word = chars;
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const [a, b] = [word[best]!, word[best + 1]!];
      const merged: string[] = [];
      for (let i = 0; i < word.length;) {
        if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
          merged.push(a + b);
          i += 2;
        } else merged.push(word[i++]!);
      }
      word = merged;
    }
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(piece, word);
    return word;
  }
}
