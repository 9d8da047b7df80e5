/**
 * End to end over the HTTP/WebSocket API: a real studio (temp data dir, the embedded tiny models, the
 * example training images) runs the shipped `workflows/api/train-sample-score.json` as it is, and again with
 * only the checkpoint switched to the tiny SD 2.x model (OpenCLIP text tower, v-prediction). Every training
 * step sends `progress` and `ti_loss`; the embedding, the images and the scores JSON are written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../server/config';
import { ensureExampleTrainingImages } from '../../server/training/textualInversion/exampleImages';
import { readEmbeddingFile } from '../../server/sd/embeddings/embeddingFile';
import { ensureTinyModels } from '../../server/sd/tiny/tinyModels';
import { resolveStudioDirs } from '../../server/storage/studioDirs';
import { postJson, startTestStudio, tempRoot, WsRecorder } from '../support/testStudio';

type Studio = Awaited<ReturnType<typeof startTestStudio>>;
const workflow = JSON.parse(
  fs.readFileSync(path.join(repoRoot, 'workflows', 'api', 'train-sample-score.json'), 'utf8'),
) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
const trainerId = Object.keys(workflow).find((id) => workflow[id]!.class_type === 'TextualInversionTrainer')!;
const steps = Number(workflow[trainerId]!.inputs.steps);
const loaderId = Object.keys(workflow).find((id) => workflow[id]!.class_type === 'CheckpointLoaderSimple')!;

describe.each([
  ['as shipped (tiny SD 1.x)', undefined],
  ['on the tiny SD 2.x checkpoint', 'tiny-sd2.safetensors'],
])('train-sample-score.json over the API, %s', (_label, checkpoint) => {
  let studio: Studio;
  let ws: WsRecorder;

  beforeAll(async () => {
    const root = await tempRoot('studio-ti-e2e-');
    const dirs = resolveStudioDirs(path.join(root, 'data'), path.join(root, 'models'));
    await ensureTinyModels(dirs.models, { families: ['sd1', 'sd2'] });
    await ensureExampleTrainingImages(dirs.input);
    studio = await startTestStudio({ root });
    ws = await WsRecorder.open(studio.url, 'ti-e2e');
  });

  afterAll(async () => {
    ws?.close();
    await studio?.close();
  });

  it('trains, samples and scores, streaming progress and loss for every step', async () => {
    const prompt = structuredClone(workflow);
    if (checkpoint) prompt[loaderId]!.inputs.ckpt_name = checkpoint;
    const response = await postJson(`${studio.url}/prompt`, { prompt, client_id: 'ti-e2e' });
    const body = (await response.json()) as { prompt_id: string; node_errors: unknown };
    expect(response.status, JSON.stringify(body)).toBe(200);
    const promptId = body.prompt_id;
    await ws.waitFor(
      (f) => f.type === 'executing' && f.data.node === null && f.data.prompt_id === promptId,
      240_000,
    );
    const frames = ws.framesOf(promptId);
    const failure = frames.find((f) => f.type === 'execution_error');
    expect(failure?.data.exception_message, 'execution_error').toBeUndefined();
    expect(frames.some((f) => f.type === 'execution_success')).toBe(true);

    const trainerProgress = frames.filter((f) => f.type === 'progress' && f.data.node === trainerId);
    expect(trainerProgress.map((f) => f.data.value)).toEqual(Array.from({ length: steps + 1 }, (_, i) => i));
    expect(trainerProgress.every((f) => f.data.max === steps)).toBe(true);
    const losses = frames.filter((f) => f.type === 'ti_loss');
    expect(losses.map((f) => f.data.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    expect(
      losses.every(
        (f) => f.data.node === trainerId && f.data.max_steps === steps && Number.isFinite(f.data.loss),
      ),
    ).toBe(true);
    expect(ws.binary.length).toBeGreaterThan(0);

    const history = (await (await fetch(`${studio.url}/history/${promptId}`)).json()) as Record<
      string,
      { outputs: Record<string, Record<string, unknown[]>> }
    >;
    const outputs = history[promptId]!.outputs;
    const byType = (type: string) => Object.keys(workflow).find((id) => workflow[id]!.class_type === type)!;

    const embeddingFile = path.join(studio.dirs.models, 'embeddings', 'my-toy.safetensors');
    const saved = readEmbeddingFile(embeddingFile);
    expect(saved.embeddings.map((e) => e.token)).toEqual(['<my-toy>']);
    expect(saved.embeddings[0]!.vectors.every(Number.isFinite)).toBe(true);

    const images = outputs[byType('SaveImage')]!.images as { filename: string; subfolder: string }[];
    expect(images.length).toBe(2);
    for (const image of images)
      expect(fs.existsSync(path.join(studio.dirs.output, image.subfolder, image.filename))).toBe(true);

    const scoreFiles = outputs[byType('CLIPScore')]!.files as { filename: string; subfolder: string }[];
    const scores = JSON.parse(
      fs.readFileSync(
        path.join(studio.dirs.output, scoreFiles[0]!.subfolder, scoreFiles[0]!.filename),
        'utf8',
      ),
    ) as {
      clip_i: number;
      clip_t: number;
      scored_prompt: string;
    };
    for (const value of [scores.clip_i, scores.clip_t]) expect(Math.abs(value)).toBeLessThanOrEqual(1);
    expect(scores.scored_prompt).not.toContain('<my-toy>');
  });
});
