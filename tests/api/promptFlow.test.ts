import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../server/config';
import { decodeImage } from '../../server/image/imageIO';
import {
  historyEntrySchema,
  objectInfoSchema,
  promptAcceptedSchema,
  promptRejectedSchema,
  queueStateSchema,
  wsEventDataSchemas,
} from '../../protocol/wireSchemas';
import { readPngTextChunks } from '../../protocol/pngTextChunks';
import { postJson, startTestStudio, WsRecorder } from '../support/testStudio';

const apiInvert: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(repoRoot, 'tests/fixtures/workflows/api/image-invert.json'), 'utf8'),
);
const uiInvert: unknown = JSON.parse(
  readFileSync(path.join(repoRoot, 'tests/fixtures/workflows/image-invert.json'), 'utf8'),
);

let studio: Awaited<ReturnType<typeof startTestStudio>>;
let ws: WsRecorder;

beforeAll(async () => {
  studio = await startTestStudio();
  ws = await WsRecorder.open(studio.url, 'client-a');
});
afterAll(async () => {
  ws.close();
  await studio.close();
});

describe('queue a prompt over HTTP and follow it on /ws', () => {
  it('runs the image-invert workflow end to end', async () => {
    const hello = await ws.waitFor((f) => f.type === 'status');
    expect(wsEventDataSchemas.status.parse(hello.data)).toEqual({
      status: { exec_info: { queue_remaining: 0 } },
      sid: 'client-a',
    });

    const response = await postJson(`${studio.url}/prompt`, {
      prompt: apiInvert,
      client_id: 'client-a',
      extra_data: { extra_pnginfo: { workflow: uiInvert } },
    });
    expect(response.status).toBe(200);
    const accepted = promptAcceptedSchema.parse(await response.json());
    expect(accepted.node_errors).toEqual({});

    await ws.finished(accepted.prompt_id);
    const frames = ws.framesOf(accepted.prompt_id);
    expect(frames.map((f) => (f.type === 'executing' ? `executing:${String(f.data.node)}` : f.type))).toEqual(
      [
        'execution_start',
        'execution_cached',
        'executing:1',
        'executing:2',
        'executing:3',
        'executing:4',
        'executed',
        'execution_success',
        'executing:null',
      ],
    );
    const executed = wsEventDataSchemas.executed.parse(frames.find((f) => f.type === 'executed')?.data);
    expect(executed).toMatchObject({ node: '4', display_node: '4' });

    const historyResponse = await fetch(`${studio.url}/history/${accepted.prompt_id}`);
    const history = (await historyResponse.json()) as Record<string, unknown>;
    const entry = historyEntrySchema.parse(history[accepted.prompt_id]);
    expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
    expect(entry.status.messages.map(([type]) => type)).toEqual([
      'execution_start',
      'execution_cached',
      'execution_success',
    ]);
    expect(entry.prompt[1]).toBe(accepted.prompt_id);
    expect(entry.prompt[3]).toMatchObject({ client_id: 'client-a' });
    expect(entry.prompt[4]).toEqual(['4']);
    const [image] = entry.outputs['4'].images as { filename: string; subfolder: string; type: string }[];
    expect(executed.output).toEqual(entry.outputs['4']);

    const params = new URLSearchParams({
      filename: image.filename,
      subfolder: image.subfolder,
      type: image.type,
    });
    const view = await fetch(`${studio.url}/api/view?${params}`);
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toBe('image/png');
    const png = new Uint8Array(await view.arrayBuffer());
    const decoded = await decodeImage(png);
    expect(decoded.shape).toEqual([1, 256, 256, 3]);
    expect(Array.from(decoded.data.subarray(0, 3), (v) => Math.round(v * 255))).toEqual([0xe1, 0xc5, 0xa0]);
    const texts = readPngTextChunks(png);
    expect(JSON.parse(texts.workflow)).toEqual(uiInvert);
    expect(JSON.parse(texts.prompt)).toEqual(apiInvert);
  });

  it('runs nothing the second time and reports every node cached', async () => {
    const response = await postJson(`${studio.url}/api/prompt`, {
      prompt: apiInvert,
      client_id: 'client-a',
    });
    const { prompt_id: promptId } = promptAcceptedSchema.parse(await response.json());
    await ws.finished(promptId);
    const frames = ws.framesOf(promptId);
    expect(frames.find((f) => f.type === 'execution_cached')?.data.nodes).toEqual(['1', '2', '3', '4']);
    expect(frames.filter((f) => f.type === 'executing').map((f) => f.data.node)).toEqual([null]);
  });

  it('accepts a JSON body sent with a form content-type (like urllib scripts do)', async () => {
    const response = await fetch(`${studio.url}/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ prompt: apiInvert }),
    });
    expect(response.status).toBe(200);
    const { prompt_id: promptId } = promptAcceptedSchema.parse(await response.json());
    await expect.poll(() => studio.history.has(promptId)).toBe(true);
  });

  it('answers 400 with node_errors for a broken prompt', async () => {
    const broken = {
      ...apiInvert,
      '1': { class_type: 'EmptyImage', inputs: { width: 0, height: 512, batch_size: 1, color: 0 } },
      '3': {
        class_type: 'ImageScale',
        inputs: { image: ['2', 0], upscale_method: 'lanczos9', width: 8, height: 8, crop: 'disabled' },
      },
    };
    const response = await postJson(`${studio.url}/prompt`, { prompt: broken });
    expect(response.status).toBe(400);
    const body = promptRejectedSchema.parse(await response.json());
    expect(body.error.type).toBe('prompt_outputs_failed_validation');
    expect(body.node_errors['1']).toMatchObject({ class_type: 'EmptyImage', dependent_outputs: ['4'] });
    expect(body.node_errors['1'].errors.map((e) => e.type)).toEqual(['value_smaller_than_min']);
    expect(body.node_errors['3'].errors[0]).toMatchObject({
      type: 'value_not_in_list',
      extra_info: { input_name: 'upscale_method' },
    });

    const noPrompt = await postJson(`${studio.url}/prompt`, { client_id: 'x' });
    expect(noPrompt.status).toBe(400);
    expect(promptRejectedSchema.parse(await noPrompt.json()).error.type).toBe('invalid_prompt');
    const badJson = await fetch(`${studio.url}/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":',
    });
    expect(badJson.status).toBe(400);
  });

  it('serves object_info derived from the declarations, at /x and /api/x', async () => {
    const info = objectInfoSchema.parse(await (await fetch(`${studio.url}/api/object_info`)).json());
    expect(Object.keys(info)).toEqual(
      expect.arrayContaining([
        'LoadImage',
        'SaveImage',
        'PreviewImage',
        'EmptyImage',
        'ImageScale',
        'ImageInvert',
        'ImageBatch',
      ]),
    );
    const one = (await (await fetch(`${studio.url}/object_info/ImageScale`)).json()) as Record<
      string,
      unknown
    >;
    expect(one).toEqual({ ImageScale: info.ImageScale });
    expect(info.ImageScale).toMatchObject({
      input: { required: { upscale_method: [['nearest-exact', 'bilinear'], { default: 'bilinear' }] } },
      input_order: { required: ['image', 'upscale_method', 'width', 'height', 'crop'], optional: [] },
      output: ['IMAGE'],
      output_is_list: [false],
      output_name: ['IMAGE'],
      output_node: false,
      category: 'image/upscaling',
    });
    expect(info.SaveImage.output_node).toBe(true);
    expect(await (await fetch(`${studio.url}/object_info/Nope`)).json()).toEqual({});
  });

  it('serves queue, prompt, models, embeddings and system stats', async () => {
    expect(queueStateSchema.parse(await (await fetch(`${studio.url}/queue`)).json())).toEqual({
      queue_running: [],
      queue_pending: [],
    });
    expect(await (await fetch(`${studio.url}/api/prompt`)).json()).toEqual({
      exec_info: { queue_remaining: 0 },
    });
    expect(await (await fetch(`${studio.url}/models`)).json()).toEqual([
      'checkpoints',
      'clip',
      'embeddings',
      'tokenizers',
      'vae',
    ]);
    expect(await (await fetch(`${studio.url}/models/checkpoints`)).json()).toEqual([]);
    expect((await fetch(`${studio.url}/models/nope`)).status).toBe(404);
    expect(await (await fetch(`${studio.url}/embeddings`)).json()).toEqual([]);
    const stats = (await (await fetch(`${studio.url}/system_stats`)).json()) as {
      system: Record<string, unknown>;
      devices: unknown[];
    };
    expect(stats.system).toMatchObject({ execution_provider: 'cpu', node_version: process.version });
    expect(stats.devices).toHaveLength(1);
  });
});
