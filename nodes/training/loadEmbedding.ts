import path from 'node:path';
import { type ComboContext, defineNode } from '../../server/engine/nodeDefinition';
import { readEmbeddingFile } from '../../server/sd/embeddings/embeddingFile';
import { EMBEDDING_EXTENSIONS } from '../../server/sd/model/promptEncoding';
import { listFilesRecursive } from '../../server/storage/listFiles';
import { resolveInside } from '../../server/storage/safePath';

/** ComfyUI's annotation of a file picked from output/ instead of the node's own folder (`x.png [output]`). */
const OUTPUT_SUFFIX = ' [output]';
/** Where training runs keep their per-step embeddings (nodes/training/textualInversionTrainer.ts). */
const TRAINING_OUTPUT = 'textual_inversion';

const isEmbeddingFile = (f: string) =>
  (EMBEDDING_EXTENSIONS as readonly string[]).includes(path.extname(f).toLowerCase());

/** models/embeddings/ files, then the embeddings training runs saved under output/ (annotated `[output]`). */
async function embeddingFiles({ dirs }: ComboContext): Promise<string[]> {
  const files = await listFilesRecursive(path.join(dirs.models, 'embeddings'));
  const trained = await listFilesRecursive(path.join(dirs.output, TRAINING_OUTPUT));
  return [
    ...files.filter(isEmbeddingFile),
    ...trained.filter(isEmbeddingFile).map((f) => `${TRAINING_OUTPUT}/${f}${OUTPUT_SUFFIX}`),
  ];
}

/** The file a combo value names: under output/ when annotated `[output]`, else under models/embeddings/. */
function embeddingPath(name: string, dirs: ComboContext['dirs']): string | null {
  if (name.endsWith(OUTPUT_SUFFIX)) return resolveInside(dirs.output, name.slice(0, -OUTPUT_SUFFIX.length));
  return resolveInside(path.join(dirs.models, 'embeddings'), name);
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
  description:
    "Loads learned tokens from models/embeddings/ (.safetensors, .pt, .bin), or a training run's saved step from output/.",
  inputs: {
    required: {
      embedding_name: [
        embeddingFiles,
        { tooltip: 'A file in models/embeddings/, or a training checkpoint in output/ (marked [output]).' },
      ],
    },
  },
  outputs: [{ type: 'EMBEDDING', name: 'EMBEDDING' }],
  execute: (inputs, ctx) => {
    const name = String(inputs.embedding_name);
    const file = embeddingPath(name, ctx.dirs);
    if (!file)
      throw new Error(
        `embedding "${name}" is outside models/embeddings/ and output/; pick a file from the list`,
      );
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
