/**
 * End to end over the HTTP/WebSocket API: a real studio (temp data dir; its startup tasks copy the embedded
 * toy shapes models from the repo's models/ and write the example training images) runs the shipped
 * `workflows/api/train-sample-score.json` with only the trainer cut short, and again with the checkpoint
 * switched to the random tiny SD 2.x model (OpenCLIP text tower, v-prediction; made by the test). Every
 * training step sends `progress` and `ti_loss`; the embedding, the images of every prompt and their CLIP and
 * oracle score files are written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../server/config';
import { decodeImage } from '../../server/image/imageIO';
import { readEmbeddingFile } from '../../server/sd/embeddings/embeddingFile';
import { ensureTinyModels } from '../../server/sd/tiny/tinyModels';
import { resolveStudioDirs } from '../../server/storage/studioDirs';
import { postJson, startTestStudio, tempRoot, WsRecorder } from '../support/testStudio';

type Studio = Awaited<ReturnType<typeof startTestStudio>>;
type ApiPrompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;
const workflow = JSON.parse(
  fs.readFileSync(path.join(repoRoot, 'workflows', 'api', 'train-sample-score.json'), 'utf8'),
) as ApiPrompt;
const idsOf = (type: string) => Object.keys(workflow).filter((id) => workflow[id]!.class_type === type);
const [trainerId] = idsOf('TextualInversionTrainer') as [string];
const [loaderId] = idsOf('CheckpointLoaderSimple') as [string];
const [imagesId] = idsOf('LoadImagesFromFolder') as [string];
const [latentId] = idsOf('EmptyLatentImage') as [string];
const token = String(workflow[trainerId]!.inputs.token);
/** Enough steps to see every step reported; the shipped count is for learning, not for CI. */
const STEPS = 6;

/** The shipped prompt with the trainer cut to STEPS (checkpoints and previews every 3) and `changes`. */
function promptFor(changes: Record<string, Record<string, unknown>>): ApiPrompt {
  const prompt = structuredClone(workflow);
  Object.assign(prompt[trainerId]!.inputs, { steps: STEPS, checkpoint_every: 3, preview_every: 3 });
  for (const [id, inputs] of Object.entries(changes)) Object.assign(prompt[id]!.inputs, inputs);
  return prompt;
}

describe.each([
  ['as shipped (toy shapes model)', 32, {}],
  [
    'on the tiny SD 2.x checkpoint',
    64,
    // the tiny vocabulary has no "shape"; its UNet and VAE downsample by 64
    {
      [loaderId]: { ckpt_name: 'tiny-sd2.safetensors' },
      [trainerId]: { initializer_token: 'toy', resolution: 64 },
      [imagesId]: { size: 64 },
      [latentId]: { width: 64, height: 64 },
    },
  ],
])('train-sample-score.json over the API, %s', (_label, side, changes) => {
  let studio: Studio;
  let ws: WsRecorder;

  beforeAll(async () => {
    const root = await tempRoot('studio-ti-e2e-');
    const dirs = resolveStudioDirs(path.join(root, 'data'), path.join(root, 'models'));
    if (loaderId in changes)
      await ensureTinyModels(dirs.models, { families: ['sd2'], clip: false, demoEmbedding: false });
    studio = await startTestStudio({ root, runStartupTasks: true });
    ws = await WsRecorder.open(studio.url, 'ti-e2e');
  });

  afterAll(async () => {
    ws?.close();
    await studio?.close();
  });

  it('trains, samples every prompt and scores it, streaming progress and loss for every step', async () => {
    const response = await postJson(`${studio.url}/prompt`, {
      prompt: promptFor(changes),
      client_id: 'ti-e2e',
    });
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
    expect(trainerProgress.map((f) => f.data.value)).toEqual(Array.from({ length: STEPS + 1 }, (_, i) => i));
    expect(trainerProgress.every((f) => f.data.max === STEPS)).toBe(true);
    const losses = frames.filter((f) => f.type === 'ti_loss');
    expect(losses.map((f) => f.data.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(
      losses.every(
        (f) => f.data.node === trainerId && f.data.max_steps === STEPS && Number.isFinite(f.data.loss),
      ),
    ).toBe(true);
    expect(ws.binary.length).toBeGreaterThan(0);

    const history = (await (await fetch(`${studio.url}/history/${promptId}`)).json()) as Record<
      string,
      { outputs: Record<string, Record<string, unknown[]>> }
    >;
    const outputs = history[promptId]!.outputs;
    const readOutput = (ref: unknown) => {
      const { filename, subfolder } = ref as { filename: string; subfolder: string };
      return fs.readFileSync(path.join(studio.dirs.output, subfolder, filename));
    };

    const saved = readEmbeddingFile(path.join(studio.dirs.models, 'embeddings', 'my-shape.safetensors'));
    expect(saved.embeddings.map((e) => e.token)).toEqual([token]);
    expect(saved.embeddings[0]!.vectors.every(Number.isFinite)).toBe(true);

    // one SaveImage, CLIPScore and ShapesWorldOracle per prompt
    const saves = idsOf('SaveImage');
    expect(saves).toHaveLength(3);
    for (const id of saves) {
      const images = outputs[id]!.images!;
      expect(images).toHaveLength(2);
      for (const image of images)
        expect((await decodeImage(readOutput(image))).shape).toEqual([1, side, side, 3]);
    }
    for (const id of idsOf('CLIPScore')) {
      const scores = JSON.parse(readOutput(outputs[id]!.files![0]).toString('utf8')) as {
        clip_i: number;
        clip_t: number;
        scored_prompt: string;
        images: number;
      };
      for (const value of [scores.clip_i, scores.clip_t]) expect(Math.abs(value)).toBeLessThanOrEqual(1);
      expect(scores.scored_prompt).not.toContain(token);
      expect(scores.images).toBe(2);
    }
    const oracles = idsOf('ShapesWorldOracle');
    expect(oracles).toHaveLength(3);
    for (const id of oracles) {
      const record = JSON.parse(readOutput(outputs[id]!.files![0]).toString('utf8')) as {
        expected: Record<string, string>;
        rates: Record<string, number>;
        images: number;
      };
      expect(record.images).toBe(2);
      expect(record.expected).toMatchObject({ shape: 'ring', colour: 'red' });
      expect(Object.keys(record.rates).sort()).toEqual([...Object.keys(record.expected), 'all'].sort());
      // a share of 2 images
      for (const rate of Object.values(record.rates)) expect([0, 0.5, 1]).toContain(rate);
      expect(outputs[id]!.all_rate).toEqual([record.rates.all]);
      expect(outputs[id]!.verdicts).toHaveLength(2);
    }
  });
});
