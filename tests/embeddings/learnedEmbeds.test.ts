/**
 * The reference dataset's learned_embeds.safetensors (diffusers save_progress after AdamW step 1) reads
 * with its placeholder token, [num_vectors, dim] shape and exactly the rows golden.json records.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readEmbeddingFile } from '../../server/sd/embeddings/embeddingFile';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const referenceDir = path.resolve(process.env.REFERENCE_DIR ?? path.resolve(repoRoot, '../shared/reference'));

interface Golden {
  textual_inversion: {
    placeholder_tokens: string[];
    steps: Array<{ placeholder_rows_after_step: { shape: number[]; data: number[] } }>;
  };
}

describe(`learned_embeds.safetensors (${path.basename(referenceDir)})`, () => {
  it('holds the placeholder rows after AdamW step 1 under the placeholder token', () => {
    const golden = JSON.parse(fs.readFileSync(path.join(referenceDir, 'golden.json'), 'utf8')) as Golden;
    const ti = golden.textual_inversion;
    const rows = ti.steps[0]!.placeholder_rows_after_step;
    const file = readEmbeddingFile(path.join(referenceDir, 'learned_embeds.safetensors'));
    expect(file.format).toBe('diffusers-safetensors');
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.embeddings.map((e) => [e.token, e.numVectors, e.dim])).toEqual([
      [ti.placeholder_tokens[0], ...rows.shape],
    ]);
    expect([...file.embeddings[0]!.vectors]).toEqual(rows.data.map(Math.fround));
  });
});
