import path from 'node:path';
import { type ComboContext, defineNode } from '../../server/engine/nodeDefinition';
import { readEmbeddingFile } from '../../server/sd/embeddings/embeddingFile';
import { EMBEDDING_EXTENSIONS } from '../../server/sd/model/promptEncoding';
import { listFilesRecursive } from '../../server/storage/listFiles';
import { resolveInside } from '../../server/storage/safePath';

async function embeddingFiles({ dirs }: ComboContext): Promise<string[]> {
  const files = await listFilesRecursive(path.join(dirs.models, 'embeddings'));
  return files.filter((f) =>
    (EMBEDDING_EXTENSIONS as readonly string[]).includes(path.extname(f).toLowerCase()),
  );
}

/**
 * Loads an embedding file from models/embeddings/: diffusers safetensors, the emb_params layout, A1111
 * `.pt` and diffusers `.bin` (torch archives read without running pickle code). Every token of the file is
 * in the EMBEDDING.
 */
export const loadEmbedding = defineNode({
  type: 'LoadEmbedding',
  displayName: 'Load Embedding',
  category: 'training',
  description: 'Loads learned tokens from models/embeddings/ (.safetensors, .pt, .bin).',
  inputs: { required: { embedding_name: [embeddingFiles, { tooltip: 'A file in models/embeddings/.' }] } },
  outputs: [{ type: 'EMBEDDING', name: 'EMBEDDING' }],
  execute: (inputs, ctx) => {
    const name = String(inputs.embedding_name);
    const file = resolveInside(path.join(ctx.dirs.models, 'embeddings'), name);
    if (!file)
      throw new Error(`embedding "${name}" is outside models/embeddings/; pick a file from the list`);
    const { embeddings, format } = readEmbeddingFile(file);
    return {
      outputs: [embeddings],
      ui: {
        embeddings: embeddings.map((e) => ({
          token: e.token,
          num_vectors: e.numVectors,
          dim: e.dim,
          format,
        })),
      },
    };
  },
});
