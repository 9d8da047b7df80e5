/**
 * The CLIP tokenizer SD uses: text → ids with BOS/EOS, truncated and padded to 77. Added tokens (textual
 * inversion placeholders, with `<tok>` expanding to `<tok> <tok>_1 …` for multi-vector embeddings) are
 * matched in the raw text before cleaning, as Hugging Face's tokenizer does, and get ids after the base
 * vocabulary.
 */
import { charsToText } from './byteEncoder';
import { BytePairEncoder, WORD_END } from './bytePairEncoder';
import { splitForBpe } from './clipTextCleaning';
import { BOS_TOKEN, EOS_TOKEN, type ClipVocabulary } from './vocabularyFiles';

/** Options of a tokenizer instance. */
export interface ClipTokenizerOptions {
  /** Pad token: "<|endoftext|>" (SD 1.x, the default) or "!" (SD 2.x); must be in the vocabulary. */
  readonly padToken?: string;
  /** Sequence length including BOS and EOS (default 77). */
  readonly maxLength?: number;
}

/** One encoded prompt. */
export interface EncodedText {
  /** `maxLength` ids: BOS, content, EOS, padding. */
  readonly ids: number[];
  /** Content tokens kept (without BOS/EOS). */
  readonly length: number;
  /** Index of the EOS token (the pooled position). */
  readonly eosIndex: number;
  /** Whether content tokens were cut to fit. */
  readonly truncated: boolean;
}

/** A CLIP BPE tokenizer over a loaded vocabulary. */
export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly maxLength: number;
  private readonly bpe: BytePairEncoder;
  private readonly added = new Map<string, number[]>();
  private readonly addedById = new Map<number, string>();
  private readonly decoder = new Map<number, string>();
  private nextId: number;

  constructor(
    private readonly vocab: ClipVocabulary,
    options: ClipTokenizerOptions = {},
  ) {
    this.bpe = new BytePairEncoder(vocab.merges);
    for (const [token, id] of vocab.encoder) this.decoder.set(id, token);
    this.bosId = vocab.encoder.get(BOS_TOKEN)!;
    this.eosId = vocab.encoder.get(EOS_TOKEN)!;
    this.maxLength = options.maxLength ?? 77;
    this.nextId = Math.max(...vocab.encoder.values()) + 1;
    for (const token of [BOS_TOKEN, EOS_TOKEN]) this.registerAdded(token, [vocab.encoder.get(token)!]);
    for (const { content, id } of vocab.addedTokens) {
      this.registerAdded(content, [id]);
      this.nextId = Math.max(this.nextId, id + 1);
    }
    const pad = options.padToken ?? vocab.padToken ?? EOS_TOKEN;
    const padId = this.idOf(pad);
    if (padId === undefined) throw new Error(`pad token "${pad}" is not in the vocabulary (${vocab.source})`);
    this.padId = padId;
  }

  /** Size of the files' vocabulary (base BPE entries, specials and tokens added in the files). */
  get baseSize(): number {
    return this.vocab.encoder.size + this.vocab.addedTokens.length;
  }

  /** Ids in use, including placeholders added with `addPlaceholder` (= rows the embedding table needs). */
  get size(): number {
    return this.nextId;
  }

  /** Id of a single token string (vocabulary entry or added token), or undefined. */
  idOf(token: string): number | undefined {
    return (
      this.vocab.encoder.get(token) ??
      (this.added.get(token)?.length === 1 ? this.added.get(token)![0] : undefined)
    );
  }

  /**
   * Adds a placeholder token with `numVectors` vectors: `token`, `token_1`, … get consecutive new ids, and
   * `token` in a prompt expands to all of them. Throws if any of the names already tokenizes to one id.
   */
  addPlaceholder(token: string, numVectors = 1): number[] {
    if (!Number.isInteger(numVectors) || numVectors < 1)
      throw new Error(`num_vectors must be a positive integer, got ${numVectors}`);
    if (token.trim() !== token || token.length === 0 || /\s/.test(token)) {
      throw new Error(`placeholder token "${token}" must be non-empty and contain no whitespace`);
    }
    const names = Array.from({ length: numVectors }, (_, i) => (i === 0 ? token : `${token}_${i}`));
    for (const name of names) {
      const existing = this.vocab.encoder.get(name) ?? this.added.get(name)?.[0];
      if (existing !== undefined) {
        throw new Error(
          `token "${name}" is already in the vocabulary (id ${existing}); choose a different placeholder token`,
        );
      }
    }
    const ids = names.map(() => this.nextId++);
    names.forEach((name, i) => this.registerAdded(name, [ids[i]!]));
    this.added.set(token, ids);
    return ids;
  }

  /** The ids a placeholder expands to, or undefined if it was not added. */
  placeholderIds(token: string): number[] | undefined {
    const ids = this.added.get(token);
    return ids && token !== BOS_TOKEN && token !== EOS_TOKEN ? [...ids] : undefined;
  }

  /** Content ids of `text` (no BOS/EOS, no truncation). */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const segment of this.splitAdded(text)) {
      if (typeof segment !== 'string') {
        ids.push(...segment);
        continue;
      }
      for (const piece of splitForBpe(segment)) {
        for (const symbol of this.bpe.encodePiece(piece)) {
          const id = this.vocab.encoder.get(symbol);
          if (id === undefined)
            throw new Error(
              `BPE symbol "${symbol}" is missing from the vocabulary (${this.vocab.source}); the tokenizer files do not match`,
            );
          ids.push(id);
        }
      }
    }
    return ids;
  }

  /** BOS + content (cut to maxLength − 2) + EOS, padded with the pad id to `maxLength`. */
  encode(text: string): EncodedText {
    const content = this.tokenize(text);
    const room = this.maxLength - 2;
    const kept = content.slice(0, room);
    const ids = [this.bosId, ...kept, this.eosId];
    while (ids.length < this.maxLength) ids.push(this.padId);
    return { ids, length: kept.length, eosIndex: kept.length + 1, truncated: content.length > room };
  }

  /** Row-major [texts.length, maxLength] int32 ids. */
  encodeBatch(texts: readonly string[]): Int32Array {
    const out = new Int32Array(texts.length * this.maxLength);
    texts.forEach((t, i) => out.set(this.encode(t).ids, i * this.maxLength));
    return out;
  }

  /** Text of ids (special and pad tokens dropped); for previews and logs. */
  decode(ids: readonly number[]): string {
    const parts: string[] = [];
    let pending = '';
    const flush = () => {
      if (pending) parts.push(charsToText(pending).replaceAll(WORD_END, ' '));
      pending = '';
    };
    for (const id of ids) {
      if (id === this.bosId || id === this.eosId) continue;
      const added = this.addedById.get(id);
      if (added !== undefined) {
        flush();
        parts.push(`${added} `);
        continue;
      }
      pending += this.decoder.get(id) ?? '';
    }
    flush();
    return parts.join('').replace(/\s+/g, ' ').trim();
  }

  private registerAdded(content: string, ids: number[]): void {
    this.added.set(content, ids);
    if (ids.length === 1 && !this.vocab.encoder.has(content)) this.addedById.set(ids[0]!, content);
  }

  /** Raw-text segments between added tokens, with each added token replaced by its ids (longest match). */
  private splitAdded(text: string): Array<string | number[]> {
    const tokens = [...this.added.keys()].sort((a, b) => b.length - a.length);
    const out: Array<string | number[]> = [];
    let start = 0;
    let i = 0;
    while (i < text.length) {
      const match = tokens.find((t) => text.startsWith(t, i));
      if (match) {
        if (i > start) out.push(text.slice(start, i));
        out.push(this.added.get(match)!);
        i += match.length;
        start = i;
      } else i++;
    }
    if (start < text.length) out.push(text.slice(start));
    return out;
  }
}
