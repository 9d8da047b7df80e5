/**
 * A stand-in for the shipped `models/embeddings/toy-ring.safetensors` in a test's models folder: an
 * embedding whose vectors are the toy checkpoint's token rows of known words, so a prompt with its token
 * samples exactly what the same prompt with those words does.
 */
import path from 'node:path';
import { writeEmbeddingFile } from '../../server/sd/embeddings/embeddingWriter';
import { ClipTokenizer } from '../../server/sd/tokenizer/clipTokenizer';
import { openLdmCheckpoint } from '../../server/sd/weights/ldmCheckpoint';
import { toyCheckpointPath } from '../../server/training/toy/toyModelFiles';
import { toyVocabulary } from '../../server/training/toy/toyVocabulary';

/** The embedding sample-with-embedding.json loads, and the token its prompt uses. */
export const TOY_RING_EMBEDDING = { file: 'toy-ring.safetensors', token: '<toy-ring>' } as const;

/** Writes `embeddings/<file>` in `modelsDir` with the toy checkpoint's rows of `words` under `token`. */
export async function writeToyWordsEmbedding(
  modelsDir: string,
  words: string,
  { file, token }: { file: string; token: string } = TOY_RING_EMBEDDING,
): Promise<string> {
  const checkpoint = openLdmCheckpoint(toyCheckpointPath(modelsDir));
  try {
    const width = checkpoint.configs.textEncoder.hidden_size;
    const table = checkpoint.textEncoder.read('text_model.embeddings.token_embedding.weight');
    const ids = new ClipTokenizer(toyVocabulary()).tokenize(words);
    const vectors = new Float32Array(ids.length * width);
    ids.forEach((id, i) => vectors.set(table.subarray(id * width, (id + 1) * width), i * width));
    const target = path.join(modelsDir, 'embeddings', file);
    await writeEmbeddingFile(target, [{ token, numVectors: ids.length, dim: width, vectors }], {
      'inversion_studio.test': `rows of "${words}" in toy-shapes`,
    });
    return target;
  } finally {
    checkpoint.close();
  }
}
