/** Issue 14.2 and 14.6: saving never replaces an existing file unless the user asked for it. */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../support/referenceData';
import { startTestStudio } from '../support/testStudio';
import { queuePrompt, type TestStudio, waitForHistory } from '../support/trainingStudio';

let studio: TestStudio;
let embeddingsDir: string;
beforeAll(async () => {
  studio = await startTestStudio();
  embeddingsDir = path.join(studio.dirs.models, 'embeddings');
  await mkdir(embeddingsDir, { recursive: true });
  await copyFile(
    path.join(fixturesDir, 'seed-embeddings', 'oil-paint-sd15-step2000.bin'),
    path.join(embeddingsDir, 'oil-paint.bin'),
  );
});
afterAll(async () => {
  await studio.close();
});

function saveEmbeddingPrompt(save: Record<string, unknown>): Record<string, unknown> {
  return {
    '1': { class_type: 'LoadEmbedding', inputs: { embedding_name: 'oil-paint.bin' } },
    '2': {
      class_type: 'SaveEmbedding',
      inputs: { embedding: ['1', 0], filename: 'probe', destination: 'embeddings', ...save },
    },
  };
}

describe('SaveEmbedding', () => {
  it('keeps an existing file and saves under a numbered name; replaces it only with overwrite on', async () => {
    const existing = path.join(embeddingsDir, 'probe.safetensors');
    await writeFile(existing, 'a step-400 embedding');
    const first = await waitForHistory(studio, await queuePrompt(studio, saveEmbeddingPrompt({})));
    expect(first.outputs['2']?.embeddings?.[0]).toMatchObject({ filename: 'probe_00001.safetensors' });
    const third = await waitForHistory(
      studio,
      await queuePrompt(studio, saveEmbeddingPrompt({ filename: 'probe.safetensors' })),
    );
    expect(third.outputs['2']?.embeddings?.[0]).toMatchObject({ filename: 'probe_00002.safetensors' });
    expect(await readFile(existing, 'utf8')).toBe('a step-400 embedding');

    const replaced = await waitForHistory(
      studio,
      await queuePrompt(studio, saveEmbeddingPrompt({ overwrite: true })),
    );
    expect(replaced.outputs['2']?.embeddings?.[0]).toMatchObject({ filename: 'probe.safetensors' });
    expect(await readFile(existing, 'utf8')).not.toBe('a step-400 embedding');
    expect((await readdir(embeddingsDir)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('upload into output/', () => {
  it('never replaces a saved output, even with overwrite=true', async () => {
    const png = (value: number): Promise<Buffer> =>
      sharp(Buffer.from([value, value, value]), { raw: { width: 1, height: 1, channels: 3 } })
        .png()
        .toBuffer();
    const saved = await png(1);
    await writeFile(path.join(studio.dirs.output, 'result_00001_.png'), saved);
    const form = new FormData();
    form.append(
      'image',
      new Blob([Uint8Array.from(await png(2))], { type: 'image/png' }),
      'result_00001_.png',
    );
    form.append('type', 'output');
    form.append('overwrite', 'true');
    const response = await fetch(`${studio.url}/upload/image`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'result_00001_ (1).png', subfolder: '', type: 'output' });
    expect((await readFile(path.join(studio.dirs.output, 'result_00001_.png'))).equals(saved)).toBe(true);
  });
});
