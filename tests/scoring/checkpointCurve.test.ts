/**
 * `checkpointCurve` on the tiny SD model and tiny scoring CLIP, with hand-made step files: each point's
 * scores are the existing scorer's CLIP-I / CLIP-T of exactly the images it sampled, the oracle rate is the
 * world judge's verdict on them, and an aborted signal stops it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageTensor } from '../../server/image/imageIO';
import { checkpointCurve, type CheckpointCurveOptions } from '../../server/scoring/checkpointCurve';
import { ClipScorer } from '../../server/scoring/clipScorer';
import { imageAt } from '../../server/scoring/toyWorldEvaluation';
import { writeEmbeddingFile } from '../../server/sd/embeddings/embeddingWriter';
import { listStepEmbeddingFiles, stepEmbeddingFileName } from '../../server/sd/embeddings/stepEmbeddingFiles';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { ensureTinyModels, tinyCheckpointPath, tinyClipPath } from '../../server/sd/tiny/tinyModels';
import { judge } from '../../server/world';
import { tempDir, testImages } from '../training/tinyTrainingSetup';

const TOKEN = '<hand-made>';

describe('checkpointCurve', () => {
  let model: FrozenModel;
  let scorer: ClipScorer;
  let options: CheckpointCurveOptions;

  beforeAll(async () => {
    const modelsDir = tempDir('curve-models');
    await ensureTinyModels(modelsDir, { clip: true, demoEmbedding: false });
    model = await loadFrozenModel(tinyCheckpointPath(modelsDir), { modelsDir, provider: 'cpu' });
    scorer = ClipScorer.open(tinyClipPath(modelsDir), { modelsDir, provider: 'cpu' });
    const folder = tempDir('curve-steps');
    const dim = model.info.textHiddenSize;
    for (const step of [3, 6]) {
      const vectors = Float32Array.from({ length: dim }, (_, i) => Math.sin(i * 0.37 + step) * 0.02 * step);
      await writeEmbeddingFile(path.join(folder, stepEmbeddingFileName(step)), [
        { token: TOKEN, numVectors: 1, dim, vectors },
      ]);
    }
    options = {
      models: { unet: model, text: model, vae: model },
      scorer,
      reference: testImages(2, 48, 40),
      files: await listStepEmbeddingFiles(folder),
      prompts: 'a photo of {token}\na {token} on a beach',
      sampling: {
        seed: 9,
        steps: 2,
        cfg: 5,
        samplerName: 'euler',
        scheduler: 'normal',
        size: 64,
        imagesPerPrompt: 2,
      },
      oracleShape: 'ring',
    };
  });

  it("scores exactly the sampled images with the existing scorer, and judges them with the world's oracle", async () => {
    const samples: { step: number; prompt: string; images: ImageTensor }[] = [];
    const reported: number[][] = [];
    const points = await checkpointCurve({
      ...options,
      onSamples: (step, prompt, images) => samples.push({ step, prompt, images }),
      onPoint: (point, done, total) => void reported.push([point.step, done, total]),
    });
    expect(points.map((p) => p.step)).toEqual([3, 6]);
    expect(reported).toEqual([
      [3, 1, 2],
      [6, 2, 2],
    ]);
    expect(samples.map((s) => [s.step, s.prompt, s.images.shape])).toEqual([
      [3, `a photo of ${TOKEN}`, [2, 64, 64, 3]],
      [3, `a ${TOKEN} on a beach`, [2, 64, 64, 3]],
      [6, `a photo of ${TOKEN}`, [2, 64, 64, 3]],
      [6, `a ${TOKEN} on a beach`, [2, 64, 64, 3]],
    ]);
    for (const [k, sample] of samples.entries()) {
      const scored = points[Math.floor(k / 2)]!.prompts[k % 2]!;
      const independent = await scorer.score({
        generated: sample.images,
        reference: options.reference,
        prompt: sample.prompt,
        placeholders: [TOKEN],
      });
      expect(scored.clipT).toBe(independent.clipT);
      expect(scored.clipI).toBe(independent.clipI);
      const judged = [0, 1].filter((i) => judge(imageAt(sample.images, i), { shape: 'ring' }).holds.shape);
      expect(scored.oracle).toBe(judged.length / 2);
    }
    for (const p of points) {
      expect(p.clipT).toBeCloseTo((p.prompts[0]!.clipT + p.prompts[1]!.clipT) / 2, 12);
      expect(p.oracle).toBe((p.prompts[0]!.oracle! + p.prompts[1]!.oracle!) / 2);
    }
  });

  it('stops at once on an aborted signal', async () => {
    const abort = new AbortController();
    abort.abort(new Error('stop the curve'));
    await expect(checkpointCurve({ ...options, signal: abort.signal })).rejects.toThrow('stop the curve');
  });

  it('names a step file that holds more than one token', async () => {
    const folder = tempDir('curve-two-tokens');
    const dim = model.info.textHiddenSize;
    const file = path.join(folder, stepEmbeddingFileName(1));
    const one = { numVectors: 1, dim, vectors: new Float32Array(dim) };
    await writeEmbeddingFile(file, [
      { token: '<a>', ...one },
      { token: '<b>', ...one },
    ]);
    expect(fs.existsSync(file)).toBe(true);
    await expect(checkpointCurve({ ...options, files: [{ step: 1, file }] })).rejects.toThrow(
      `${file} holds 2 tokens; a per-step file of the trainer holds exactly one`,
    );
  });
});
