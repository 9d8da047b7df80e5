/**
 * Writes embeddings as diffusers' textual_inversion.py saves them: safetensors with one float32
 * [num_vectors, dim] tensor per token and metadata {"format": "pt"}, written atomically.
 */
import { encodeSafetensors, writeSafetensors, type SafetensorsEntry } from '../weights/safetensorsWriter';
import type { TextualInversionEmbedding } from './embeddingFile';

function entries(embeddings: readonly TextualInversionEmbedding[]): SafetensorsEntry[] {
  if (embeddings.length === 0) throw new Error('no embeddings to write');
  const seen = new Set<string>();
  return embeddings.map((e) => {
    if (!e.token || seen.has(e.token))
      throw new Error(`embedding token "${e.token}" is empty or appears twice; tokens must be unique`);
    seen.add(e.token);
    if (e.vectors.length !== e.numVectors * e.dim) {
      throw new Error(
        `embedding "${e.token}" holds ${e.vectors.length} values, expected ${e.numVectors} × ${e.dim}`,
      );
    }
    return { name: e.token, dtype: 'F32', shape: [e.numVectors, e.dim], data: e.vectors };
  });
}

/** The file's bytes (for downloads). */
export function encodeEmbeddingFile(
  embeddings: readonly TextualInversionEmbedding[],
  metadata: Record<string, string> = {},
): Uint8Array {
  return encodeSafetensors(entries(embeddings), { format: 'pt', ...metadata });
}

/** Writes `file` atomically (temp file + rename). */
export async function writeEmbeddingFile(
  file: string,
  embeddings: readonly TextualInversionEmbedding[],
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeSafetensors(file, entries(embeddings), { format: 'pt', ...metadata });
}
