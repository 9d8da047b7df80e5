import path from 'node:path';
import { defineNode } from '../../server/engine/nodeDefinition';
import { encodeEmbeddingFile, writeEmbeddingFile } from '../../server/sd/embeddings/embeddingWriter';
import { expectEmbeddings } from '../nodeValues';
import { isSafeFileName } from '../../server/storage/safePath';
import { savedFilesExist } from '../../server/storage/savedFiles';
import { writeFileUnique } from '../../server/storage/uniqueFile';

export const EMBEDDING_DESTINATIONS = ['embeddings', 'output'] as const;

/** `name` + `.safetensors`, or an error naming the bad name and the fix. */
export function embeddingFileName(name: string): string {
  const base = name.replace(/\.safetensors$/i, '');
  if (!isSafeFileName(base) || base.startsWith('.')) {
    throw new Error(
      `filename "${name}" is not a plain file name; use letters, digits, "-" or "_" (no folders)`,
    );
  }
  return `${base}.safetensors`;
}

/** The token without brackets, the default file name: `<cat-toy>` → `cat-toy`. */
export function defaultEmbeddingName(token: string): string {
  return token.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'embedding';
}

/**
 * Saves an EMBEDDING as diffusers' textual_inversion.py does ({"<token>": float32[n, dim]}, metadata
 * format=pt), atomically, into models/embeddings/ (usable as `embedding:NAME` in prompts) or output/. An
 * existing file is only replaced with `overwrite` on; otherwise the name gets a counter (`NAME_00001`).
 */
export const saveEmbedding = defineNode({
  type: 'SaveEmbedding',
  displayName: 'Save Embedding',
  category: 'training',
  description:
    'Writes the learned token as a .safetensors embedding (diffusers layout); an existing file gets a numbered sibling unless overwrite is on.',
  outputNode: true,
  inputs: {
    required: {
      embedding: ['EMBEDDING'],
      filename: [
        'STRING',
        { default: '', tooltip: 'File name without extension; empty: the token without brackets.' },
      ],
      destination: [
        EMBEDDING_DESTINATIONS,
        { default: 'embeddings', tooltip: 'models/embeddings/ (for prompts) or output/.' },
      ],
    },
    optional: {
      overwrite: [
        'BOOLEAN',
        { default: false, tooltip: 'Replace an existing file of that name (off: save as NAME_00001 …).' },
      ],
    },
  },
  outputs: [],
  validateInputs: (inputs) => {
    if (typeof inputs.filename !== 'string' || inputs.filename === '') return true;
    try {
      embeddingFileName(inputs.filename);
      return true;
    } catch (error) {
      return (error as Error).message;
    }
  },
  cachedResultValid: (result, _inputs, ctx) => savedFilesExist(ctx.dirs, result.ui?.embeddings),
  execute: async (inputs, ctx) => {
    const embeddings = expectEmbeddings(inputs.embedding, 'embedding');
    if (embeddings.length === 0) throw new Error('input "embedding" holds no embedding to save');
    const name = embeddingFileName(String(inputs.filename) || defaultEmbeddingName(embeddings[0]!.token));
    const toModels = inputs.destination === 'embeddings';
    const folder = toModels ? path.join(ctx.dirs.models, 'embeddings') : ctx.dirs.output;
    const step = (embeddings[0] as { step?: unknown }).step;
    const metadata: Record<string, string> = typeof step === 'number' ? { step: String(step) } : {};
    let saved: string = name;
    if (inputs.overwrite === true) await writeEmbeddingFile(path.join(folder, name), embeddings, metadata);
    else saved = await writeFileUnique(folder, name, encodeEmbeddingFile(embeddings, metadata));
    const tokens = embeddings.map((e) => ({ token: e.token, num_vectors: e.numVectors, dim: e.dim }));
    return {
      ui: {
        embeddings: [{ filename: saved, subfolder: '', type: toModels ? 'embeddings' : 'output', tokens }],
      },
    };
  },
});
