/**
 * The reference dataset's learned_embeds.safetensors (diffusers save_progress after AdamW step 1) reads
 * with its placeholder token, [num_vectors, dim] shape and exactly the rows golden.json records.
 */
import { describe, expect, it } from 'vitest';
import { readEmbeddingFile } from '../../server/sd/embeddings/embeddingFile';
import { datasetName, datasetPath, goldenArray, goldenValue } from '../support/referenceData';

describe(`learned_embeds.safetensors (${datasetName})`, () => {
  it('holds the placeholder rows after AdamW step 1 under the placeholder token', () => {
    const tokens = goldenValue('textual_inversion.placeholder_tokens') as string[];
    const rows = goldenArray('textual_inversion.steps.0.placeholder_rows_after_step');
    const file = readEmbeddingFile(datasetPath('learned_embeds.safetensors'));
    expect(file.format).toBe('diffusers-safetensors');
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.embeddings.map((e) => [e.token, e.numVectors, e.dim])).toEqual([[tokens[0], ...rows.shape]]);
    expect([...file.embeddings[0]!.vectors]).toEqual([...rows.data]);
  });
});
