/**
 * Text-to-image over the studio's HTTP/WebSocket API on the embedded toy shapes model: a fresh studio copies
 * the toy models from the repo's models/ at startup, runs the shipped `workflows/api/txt2img.json` unchanged
 * (progress for every step with latent previews, a saved 32×32 PNG served by /view), runs
 * `sample-with-embedding.json` (with a stand-in toy-ring embedding) to exactly the image of the words its
 * vectors were taken from, converts the shipped UI workflows to exactly their API twins, and refuses an
 * unknown sampler or checkpoint with validation errors listing the choices.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../server/config';
import { decodeImage } from '../../server/image/imageIO';
import { SAMPLER_NAMES } from '../../server/diffusion/samplerRegistry';
import { workflowToPrompt } from '../../protocol/workflowToPrompt';
import { uiWorkflowSchema, type ObjectInfo } from '../../protocol/wireSchemas';
import { postJson, startTestStudio, WsRecorder } from '../support/testStudio';
import { TOY_RING_EMBEDDING, writeToyWordsEmbedding } from '../support/toyEmbedding';

type TestStudio = Awaited<ReturnType<typeof startTestStudio>>;

const readJson = (...parts: string[]): unknown =>
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'workflows', ...parts), 'utf8'));
type ApiPrompt = Record<string, { inputs: Record<string, unknown> }>;
const twin = readJson('api', 'txt2img.json') as ApiPrompt;
const withEmbedding = readJson('api', 'sample-with-embedding.json') as ApiPrompt;

/** Queues `prompt`, waits for it, and returns the frames of that prompt. */
async function run(prompt: unknown): Promise<{ promptId: string; frames: ReturnType<WsRecorder['framesOf']> }> {
  const response = await postJson(`${studio.url}/prompt`, { prompt, client_id: 'txt2img-test' });
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(200);
  const { prompt_id: promptId } = (await response.json()) as { prompt_id: string };
  await ws.finished(promptId);
  const frames = ws.framesOf(promptId);
  expect(frames.find((f) => f.type === 'execution_error')?.data).toBeUndefined();
  return { promptId, frames };
}

/** The first image a SaveImage node reported, fetched through /view and decoded. */
async function savedImage(frames: ReturnType<WsRecorder['framesOf']>, node: string) {
  const executed = frames.find((f) => f.type === 'executed' && f.data.node === node)!;
  const [ref] = (executed.data.output as { images: { filename: string; subfolder: string; type: string }[] }).images;
  const view = await fetch(
    `${studio.url}/view?filename=${encodeURIComponent(ref!.filename)}&subfolder=${ref!.subfolder}&type=${ref!.type}`,
  );
  expect(view.status).toBe(200);
  return decodeImage(new Uint8Array(await view.arrayBuffer()));
}

let studio: TestStudio;
let ws: WsRecorder;

beforeAll(async () => {
  studio = await startTestStudio({ runStartupTasks: true });
  await writeToyWordsEmbedding(studio.dirs.models, 'red star');
  ws = await WsRecorder.open(studio.url, 'txt2img-test');
});
afterAll(async () => {
  ws?.close();
  await studio?.close();
  if (studio) fs.rmSync(studio.root, { recursive: true, force: true });
});

describe('txt2img on the toy shapes model over HTTP', () => {
  it('lists the startup-copied toy checkpoints (SD 1.x and its SD 2.x twin) and converts the shipped UI workflows to their API twins', async () => {
    const objectInfo = (await (await fetch(`${studio.url}/object_info`)).json()) as ObjectInfo;
    const choices = (objectInfo.CheckpointLoaderSimple!.input.required!.ckpt_name as unknown[])[0];
    expect(choices).toEqual(['toy-shapes-sd2.safetensors', 'toy-shapes.safetensors']);
    for (const [file, api] of [
      ['txt2img.json', twin],
      ['sample-with-embedding.json', withEmbedding],
    ] as const) {
      const { prompt, warnings } = workflowToPrompt(uiWorkflowSchema.parse(readJson(file)), objectInfo);
      expect(warnings, file).toEqual([]);
      expect(prompt, file).toEqual(api);
    }
  });

  it('queues the shipped prompt and gets a 32×32 image with progress and previews for every step', async () => {
    const { frames } = await run(twin);
    const steps = Number(twin['3']!.inputs.steps);
    const progress = frames.filter((f) => f.type === 'progress' && f.data.node === '3');
    expect(progress.map((f) => f.data.value)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    // binary frames: 4-byte event type 1 (preview), 4-byte image type 1 (JPEG), then the JPEG
    const previews = ws.binary.filter((b) => b.readUInt32BE(0) === 1 && b.readUInt32BE(4) === 1);
    expect(previews.length).toBeGreaterThanOrEqual(steps);

    const image = await savedImage(frames, '9');
    expect(image.shape).toEqual([1, 32, 32, 3]);
  });

  it('samples with an embedding exactly as with the words its vectors came from', async () => {
    const embedded = await savedImage((await run(withEmbedding)).frames, '9');
    const words = structuredClone(twin);
    words['6']!.inputs.text = String(withEmbedding['6']!.inputs.text).replace(TOY_RING_EMBEDDING.token, 'red star');
    const plain = await savedImage((await run(words)).frames, '9');
    expect(embedded.shape).toEqual([1, 32, 32, 3]);
    expect(embedded.data).toEqual(plain.data);
    const other = structuredClone(words);
    other['6']!.inputs.text = 'a blue heart on a green background';
    expect((await savedImage((await run(other)).frames, '9')).data).not.toEqual(plain.data);
  });

  it('stops sampling at the next step when interrupted', async () => {
    const long = structuredClone(twin);
    long['3']!.inputs.steps = 5000;
    long['3']!.inputs.seed = 7;
    const response = await postJson(`${studio.url}/prompt`, { prompt: long, client_id: 'txt2img-test' });
    const { prompt_id: promptId } = (await response.json()) as { prompt_id: string };
    await ws.waitFor((f) => f.type === 'progress' && f.data.prompt_id === promptId, 60_000);
    expect((await postJson(`${studio.url}/interrupt`, {})).status).toBe(200);
    const stopped = await ws.waitFor((f) => f.type === 'execution_interrupted' && f.data.prompt_id === promptId);
    expect(stopped.data.node_id).toBe('3');
    const steps = ws.framesOf(promptId).filter((f) => f.type === 'progress').length;
    expect(steps).toBeLessThan(5000);
  });

  it('refuses an unknown sampler and a missing checkpoint, listing the choices', async () => {
    const bad = structuredClone(twin);
    bad['3']!.inputs.sampler_name = 'eulr';
    bad['4']!.inputs.ckpt_name = 'missing.safetensors';
    const response = await postJson(`${studio.url}/prompt`, { prompt: bad });
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      node_errors: Record<string, { errors: { type: string; details: string; extra_info: Record<string, unknown> }[] }>;
    };
    const sampler = body.node_errors['3']!.errors.find((e) => e.extra_info.input_name === 'sampler_name')!;
    expect(sampler.type).toBe('value_not_in_list');
    for (const name of SAMPLER_NAMES) expect(sampler.details).toContain(name);
    const checkpoint = body.node_errors['4']!.errors[0]!;
    expect(checkpoint.type).toBe('value_not_in_list');
    expect(checkpoint.details).toContain('toy-shapes.safetensors');
  });
});
