/**
 * Real embeddings saved by diffusers' textual_inversion.py (tests/fixtures/seed-embeddings)
 * load to exactly the values torch.load gives (expected.json), from disk and from uploaded bytes, and
 * survive a write → read round trip as diffusers safetensors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkEmbeddingWidth,
  parseEmbeddingBytes,
  readEmbeddingFile,
  type EmbeddingFile,
} from '../../server/sd/embeddings/embeddingFile';
import { writeEmbeddingFile } from '../../server/sd/embeddings/embeddingWriter';
import { SafetensorsFile } from '../../server/sd/weights/safetensorsFile';
import { fixturesDir } from '../support/referenceData';

const seedDir = path.join(fixturesDir, 'seed-embeddings');
const expected = JSON.parse(fs.readFileSync(path.join(seedDir, 'expected.json'), 'utf8')) as Record<
  string,
  { token: string; shape: number[]; dtype: string; l2: number; values: number[] }
>;
const files = fs.readdirSync(seedDir).filter((f) => f !== 'README.md' && f !== 'expected.json');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-embeddings-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function expectSeedValues(file: EmbeddingFile, name: string): void {
  const want = expected[name]!;
  expect(file.embeddings).toHaveLength(1);
  const [e] = file.embeddings;
  expect(e!.token).toBe(want.token);
  // a 1-D tensor is one vector
  expect([e!.numVectors, e!.dim]).toEqual(want.shape.length === 1 ? [1, want.shape[0]] : want.shape);
  expect([...e!.vectors]).toEqual(want.values.map(Math.fround));
  const l2 = Math.sqrt(e!.vectors.reduce((a, v) => a + v * v, 0));
  expect(l2).toBeCloseTo(want.l2, 5);
}

describe('seed embeddings (torch zip-pickles from diffusers)', () => {
  it('covers every file listed in expected.json', () => {
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(files)('%s reads to exactly the torch.load values', (name) => {
    const file = readEmbeddingFile(path.join(seedDir, name));
    expect(file.format).toBe('diffusers-bin');
    expectSeedValues(file, name);
    expectSeedValues(parseEmbeddingBytes(fs.readFileSync(path.join(seedDir, name)), name), name);
  });

  it.each(files)('%s round-trips through diffusers safetensors', async (name) => {
    const original = readEmbeddingFile(path.join(seedDir, name));
    const out = path.join(tmp, name.replace(/\.bin$/, '.safetensors'));
    await writeEmbeddingFile(out, original.embeddings, { source: name });
    const st = SafetensorsFile.open(out);
    expect(st.metadata).toEqual({ format: 'pt', source: name });
    expect(st.names()).toEqual([expected[name]!.token]);
    expect(st.shape(expected[name]!.token)).toEqual([1, expected[name]!.shape.at(-1)]);
    st.close();
    const back = readEmbeddingFile(out);
    expect(back.format).toBe('diffusers-safetensors');
    expectSeedValues(back, name);
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to put an SD 1.x embedding into an SD 2.x text encoder, naming both widths', () => {
    const sd15 = files
      .map((f) => readEmbeddingFile(path.join(seedDir, f)).embeddings[0]!)
      .find((e) => e.dim === 768)!;
    expect(() => checkEmbeddingWidth(sd15, 1024, 'v2-1_768-ema-pruned')).toThrow(
      `embedding "${sd15.token}" has 768-wide vectors (SD 1.x) but v2-1_768-ema-pruned's text encoder is 1024 wide (SD 2.x)`,
    );
    expect(() => checkEmbeddingWidth(sd15, 768, 'sd15')).not.toThrow();
  });
});
