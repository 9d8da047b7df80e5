/**
 * Prompts with textual-inversion embeddings on the tiny model: an embedding whose vectors are the rows of
 * known words encodes exactly like those words, whether it comes from `embedding:NAME` (a file in
 * models/embeddings/) or from an EMBEDDING input; wrong widths and missing names fail naming the fix.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEmbeddingFile } from '../../server/sd/embeddings/embeddingWriter';
import type { TextualInversionEmbedding } from '../../server/sd/embeddings/embeddingFile';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { encodePrompt } from '../../server/sd/model/promptEncoding';
import { makeTinyCheckpoint, tinyCheckpointPath } from '../../server/sd/tiny/tinyModels';

const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prompt-embeddings-'));
const embeddingsDir = path.join(modelsDir, 'embeddings');
let model: FrozenModel;
let wordEmbedding: TextualInversionEmbedding;

beforeAll(async () => {
  await makeTinyCheckpoint(modelsDir, 'sd1');
  model = await loadFrozenModel(tinyCheckpointPath(modelsDir), { provider: 'cpu' });
  // two vectors: the table rows of the tokens of "red cat"
  const ids = model.tokenizer().tokenize('red cat');
  const width = model.info.textHiddenSize;
  const table = model.tokenEmbeddings();
  const vectors = new Float32Array(ids.length * width);
  ids.forEach((id, i) => vectors.set(table.subarray(id * width, (id + 1) * width), i * width));
  wordEmbedding = { token: '<red-cat>', numVectors: ids.length, dim: width, vectors };
  await writeEmbeddingFile(path.join(embeddingsDir, 'red-cat.safetensors'), [wordEmbedding]);
});
afterAll(async () => {
  await model?.close();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

describe('prompts with embeddings (tiny sd1)', () => {
  it('embedding:NAME and an EMBEDDING input both encode like the words their vectors came from', async () => {
    const words = await encodePrompt(model, 'a photo of a red cat on a chair');
    const fromFile = await encodePrompt(model, 'a photo of a embedding:red-cat on a chair', { embeddingsDir });
    const fromInput = await encodePrompt(model, 'a photo of a <red-cat> on a chair', { embeddings: [wordEmbedding] });
    expect(fromFile.context.data).toEqual(words.context.data);
    expect(fromInput.context.data).toEqual(words.context.data);
    const other = await encodePrompt(model, 'a photo of a blue dog on a chair');
    expect(other.context.data).not.toEqual(words.context.data);
  });

  it('refuses an embedding of another width, naming both widths', async () => {
    const wide: TextualInversionEmbedding = { token: '<wide>', numVectors: 1, dim: 64, vectors: new Float32Array(64) };
    await expect(encodePrompt(model, 'a <wide>', { embeddings: [wide] })).rejects.toThrow(/64-wide.*32 wide/);
    await writeEmbeddingFile(path.join(embeddingsDir, 'wide.safetensors'), [wide]);
    await expect(encodePrompt(model, 'a embedding:wide', { embeddingsDir })).rejects.toThrow(/64-wide.*32 wide/);
  });

  it('names the folder and the file to add for an unknown embedding', async () => {
    await expect(encodePrompt(model, 'embedding:nothing-here', { embeddingsDir })).rejects.toThrow(
      `embedding "nothing-here" not found: put nothing-here.safetensors (or .pt / .bin) into ${path.resolve(embeddingsDir)}/`,
    );
  });
});
