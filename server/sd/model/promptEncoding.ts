/**
 * Prompt → conditioning for a frozen model, with textual-inversion embeddings: `embedding:NAME` in the text
 * loads `models/embeddings/NAME(.safetensors|.pt|.bin)` (ComfyUI's syntax), and embeddings passed in (an
 * EMBEDDING input) make their placeholder tokens usable in the text. Placeholders are added to a fresh
 * tokenizer; their ids get the embedding's vectors, every other id its row of the token-embedding table, and
 * the text encoder runs on those embeddings.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  checkEmbeddingWidth,
  readEmbeddingFile,
  type TextualInversionEmbedding,
} from '../embeddings/embeddingFile';
import type { ModelFamily } from '../weights/modelFamily';
import type { FrozenModel } from './frozenModel';
import type { FloatTensor } from './tensors';

/** The CONDITIONING value: one encoded prompt. */
export interface Conditioning {
  /** [1, maxLength, hidden]: the UNet's cross-attention context. */
  readonly context: FloatTensor;
  /** [1, hidden] at the EOS position. */
  readonly pooled?: FloatTensor;
  readonly text: string;
  readonly family: ModelFamily;
  /** Whether content tokens were cut to fit the model's sequence length. */
  readonly truncated: boolean;
}

/** Extensions tried for `embedding:NAME`, in order. */
export const EMBEDDING_EXTENSIONS = ['.safetensors', '.pt', '.bin'] as const;

/** `embedding:NAME` occurrences: NAME runs up to whitespace, a comma or a bracket (ComfyUI's rule). */
const EMBEDDING_REFERENCE = /embedding:([^\s,()[\]{}]+)/g;

/** The file `embedding:NAME` refers to in `embeddingsDir`, or a message listing what was tried. */
export function resolveEmbeddingFile(embeddingsDir: string, name: string): string {
  const base = path.resolve(embeddingsDir);
  const candidates = [name, ...EMBEDDING_EXTENSIONS.map((ext) => name + ext)].map((n) =>
    path.resolve(base, n),
  );
  for (const file of candidates) {
    const rel = path.relative(base, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new Error(`embedding "${name}" points outside ${base}; use a name from the embeddings folder`);
    }
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
  }
  throw new Error(
    `embedding "${name}" not found: put ${name}.safetensors (or .pt / .bin) into ${base}/, or fix the name in the prompt`,
  );
}

/**
 * What `embedding:NAME` references in `text` resolve to, as `name=size:mtime` stamps (or the lookup error),
 * so a node's cached conditioning is invalidated when an embedding file changes.
 */
export function embeddingStamps(text: string, embeddingsDir: string): string[] {
  return [...text.matchAll(EMBEDDING_REFERENCE)].map(([, name]) => {
    try {
      const stat = fs.statSync(resolveEmbeddingFile(embeddingsDir, name!));
      return `${name}=${stat.size}:${stat.mtimeMs}`;
    } catch (error) {
      return `${name}: ${(error as Error).message}`;
    }
  });
}

/** One placeholder to add: the token as it appears in the (rewritten) text and its vectors. */
interface Placeholder {
  readonly token: string;
  readonly numVectors: number;
  readonly vectors: Float32Array;
}

function concatVectors(embeddings: readonly TextualInversionEmbedding[]): Float32Array {
  const out = new Float32Array(embeddings.reduce((a, e) => a + e.vectors.length, 0));
  let offset = 0;
  for (const e of embeddings) {
    out.set(e.vectors, offset);
    offset += e.vectors.length;
  }
  return out;
}

/** Options of `encodePrompt`. */
export interface PromptOptions {
  /** Embeddings whose tokens the text may use (an EMBEDDING input). */
  readonly embeddings?: readonly TextualInversionEmbedding[];
  /** Folder `embedding:NAME` is resolved in (models/embeddings). */
  readonly embeddingsDir?: string;
}

/** Encodes `text` with `model`'s tokenizer and text encoder. Errors name the bad embedding and the fix. */
export async function encodePrompt(
  model: FrozenModel,
  text: string,
  options: PromptOptions = {},
): Promise<Conditioning> {
  const width = model.info.textHiddenSize;
  const placeholders: Placeholder[] = [];
  for (const e of options.embeddings ?? []) {
    checkEmbeddingWidth(e, width, model.name);
    placeholders.push({ token: e.token, numVectors: e.numVectors, vectors: e.vectors });
  }
  const rewritten = text.replace(EMBEDDING_REFERENCE, (_, name: string) => {
    if (!options.embeddingsDir)
      throw new Error(`prompt uses embedding:${name} but no embeddings folder is configured`);
    const token = `<embedding:${name}>`;
    if (!placeholders.some((p) => p.token === token)) {
      const file = readEmbeddingFile(resolveEmbeddingFile(options.embeddingsDir, name));
      if (file.embeddings.length === 0) throw new Error(`embedding file for "${name}" holds no vectors`);
      for (const e of file.embeddings) checkEmbeddingWidth(e, width, model.name);
      const numVectors = file.embeddings.reduce((a, e) => a + e.numVectors, 0);
      placeholders.push({ token, numVectors, vectors: concatVectors(file.embeddings) });
    }
    return ` ${token} `;
  });

  const tokenizer = placeholders.length > 0 ? model.newTokenizer() : model.tokenizer();
  const rows = new Map<number, Float32Array>();
  for (const p of placeholders) {
    const ids = tokenizer.addPlaceholder(p.token, p.numVectors);
    ids.forEach((id, i) => rows.set(id, p.vectors.subarray(i * width, (i + 1) * width)));
  }
  const encoded = tokenizer.encode(rewritten);
  const ids = Int32Array.from(encoded.ids);
  const table = model.tokenEmbeddings();
  const vocab = table.length / width;
  const embeds = new Float32Array(ids.length * width);
  ids.forEach((id, i) => {
    const row = rows.get(id) ?? (id < vocab ? table.subarray(id * width, (id + 1) * width) : undefined);
    if (!row)
      throw new Error(
        `token id ${id} has no embedding row (table has ${vocab}); the tokenizer does not match ${model.name}`,
      );
    embeds.set(row, i * width);
  });
  const out = await model.textEncoderFromEmbeds({ data: embeds, dims: [1, ids.length, width] }, ids);
  return {
    context: out.lastHiddenState,
    pooled: out.pooled,
    text,
    family: model.family,
    truncated: encoded.truncated,
  };
}
