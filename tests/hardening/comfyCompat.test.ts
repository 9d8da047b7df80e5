/**
 * Issue 14.10: ComfyUI compatibility. ComfyUI's three script_examples' calls (our own client, the
 * examples' prompt with only the checkpoint name changed), SaveImageWebsocket's binary frames, the
 * housekeeping routes, 64-bit seeds, EmptyLatentImage rounding and unquoted `current_inputs`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComfyScriptClient, examplePrompt } from '../support/comfyScriptClient';
import { postJson } from '../support/testStudio';
import { queuePrompt, startTrainingStudio, type TestStudio, waitForHistory } from '../support/trainingStudio';

let studio: TestStudio;
let address: string;
beforeAll(async () => {
  studio = await startTrainingStudio();
  address = new URL(studio.url).host;
});
afterAll(async () => {
  await studio.close();
});

const CKPT = 'tiny-sd.safetensors';

describe('ComfyUI script_examples', () => {
  it('basic_api_example: POST /prompt with the form content type queues the prompt', async () => {
    const client = new ComfyScriptClient(address);
    const { prompt_id: id } = await client.queuePrompt(examplePrompt(CKPT, 'SaveImage'), '/prompt', false);
    expect((await waitForHistory(studio, id)).status.status_str).toBe('success');
  });

  it('websockets_api_example: executing null, then /history and /view give the PNG', async () => {
    const client = new ComfyScriptClient(address);
    await client.connect();
    try {
      const images = await client.imagesViaHistory(examplePrompt(CKPT, 'SaveImage'));
      expect(Object.keys(images)).toEqual(['9']);
      const meta = await sharp(images['9']![0]!).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 512]);
    } finally {
      client.close();
    }
  });

  it('websockets_api_example_ws_images: SaveImageWebsocket sends PNG frames (event 1, format 2)', async () => {
    const client = new ComfyScriptClient(address);
    await client.connect();
    try {
      const { images, headers } = await client.imagesViaWebsocket(examplePrompt(CKPT, 'SaveImageWebsocket'));
      expect(images.save_image_websocket_node).toHaveLength(1);
      expect([...headers[0]!]).toEqual([0, 0, 0, 1, 0, 0, 0, 2]);
      const meta = await sharp(images.save_image_websocket_node![0]!).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 512, 512]);
      // it runs (and sends) again on an identical prompt, like ComfyUI's
      const again = await client.imagesViaWebsocket(examplePrompt(CKPT, 'SaveImageWebsocket'));
      expect(again.images.save_image_websocket_node).toHaveLength(1);
    } finally {
      client.close();
    }
  });
});

describe('inputs as ComfyUI takes them', () => {
  it('accepts seeds up to 2^64 − 1', async () => {
    const prompt = examplePrompt(CKPT, 'SaveImage');
    Object.assign(prompt['3']!.inputs, { seed: 18446744073709551615, steps: 2 });
    Object.assign(prompt['5']!.inputs, { width: 64, height: 64 });
    const item = await waitForHistory(studio, await queuePrompt(studio, prompt));
    expect(item.status.status_str).toBe('success');
    const seedMax = (await (await fetch(`${studio.url}/object_info/KSampler`)).json()) as {
      KSampler: { input: { required: { seed: [string, { max: number }] } } };
    };
    expect(seedMax.KSampler.input.required.seed[1].max).toBe(18446744073709551615);
  });

  it('EmptyLatentImage rounds width 60 down to 56', async () => {
    const item = await waitForHistory(
      studio,
      await queuePrompt(studio, {
        '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: CKPT } },
        '5': { class_type: 'EmptyLatentImage', inputs: { batch_size: 1, height: 68, width: 60 } },
        '8': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['4', 2] } },
        '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'rounded', images: ['8', 0] } },
      }),
    );
    expect(item.status.status_str).toBe('success');
    const ref = item.outputs['9']!.images![0] as { filename: string; subfolder: string };
    const meta = await sharp(path.join(studio.dirs.output, ref.subfolder, ref.filename)).metadata();
    expect([meta.width, meta.height]).toEqual([56, 64]);
  });

  it('execution_error current_inputs carry strings without extra quotes', async () => {
    const item = await waitForHistory(
      studio,
      await queuePrompt(studio, {
        '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } },
        '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: '../outside' } },
      }),
    );
    const error = item.status.messages.find(([type]) => type === 'execution_error')![1];
    expect((error.current_inputs as Record<string, string[]>).filename_prefix).toEqual(['../outside']);
  });
});

describe('housekeeping routes', () => {
  it.each(['', '/api'])(
    '%s/extensions, /free, /internal/logs, /settings answer like ComfyUI',
    async (prefix) => {
      const base = `${studio.url}${prefix}`;
      expect(await (await fetch(`${base}/extensions`)).json()).toEqual([]);
      expect((await postJson(`${base}/free`, { unload_models: true, free_memory: true })).status).toBe(200);
      expect(studio.executor.cache.size).toBe(0);
      expect(typeof (await (await fetch(`${base}/internal/logs`)).json())).toBe('string');
      const raw = (await (await fetch(`${base}/internal/logs/raw`)).json()) as { entries: unknown[] };
      expect(Array.isArray(raw.entries)).toBe(true);

      expect((await postJson(`${base}/settings`, { 'Comfy.Theme': 'dark' })).status).toBe(200);
      expect((await postJson(`${base}/settings/Comfy.Locale`, 'en')).status).toBe(200);
      expect(await (await fetch(`${base}/settings`)).json()).toMatchObject({
        'Comfy.Theme': 'dark',
        'Comfy.Locale': 'en',
      });
      expect(await (await fetch(`${base}/settings/Comfy.Theme`)).json()).toBe('dark');
      expect(await (await fetch(`${base}/settings/Unknown`)).json()).toBeNull();
    },
  );

  it('/userdata stores, lists, reads and deletes files under user/', async () => {
    const file = encodeURIComponent('workflows/compat.json');
    const put = await fetch(`${studio.url}/userdata/${file}?overwrite=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"nodes": [], "links": []}',
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toBe('workflows/compat.json');
    const refused = await fetch(`${studio.url}/userdata/${file}?overwrite=false`, {
      method: 'POST',
      body: '{}',
    });
    expect(refused.status).toBe(409);
    expect(await (await fetch(`${studio.url}/userdata?dir=workflows`)).json()).toContain('compat.json');
    expect(await (await fetch(`${studio.url}/userdata/${file}`)).text()).toBe('{"nodes": [], "links": []}');
    expect((await fetch(`${studio.url}/api/workflows/compat`)).status).toBe(200);
    expect((await fetch(`${studio.url}/userdata/${encodeURIComponent('../secret')}`)).status).toBe(400);
    expect((await fetch(`${studio.url}/userdata?dir=..`)).status).toBe(403);
    expect((await fetch(`${studio.url}/userdata?dir=nothing`)).status).toBe(404);
    expect((await fetch(`${studio.url}/userdata/${file}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${studio.url}/userdata/${file}`)).status).toBe(404);
  });

  it('/view_metadata/{folder} returns a safetensors file’s __metadata__', async () => {
    const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'pt', step: '7' } }));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    await mkdir(path.join(studio.dirs.models, 'embeddings'), { recursive: true });
    await writeFile(
      path.join(studio.dirs.models, 'embeddings', 'meta.safetensors'),
      Buffer.concat([length, header]),
    );
    const ok = await fetch(`${studio.url}/view_metadata/embeddings?filename=meta.safetensors`);
    expect(await ok.json()).toEqual({ format: 'pt', step: '7' });
    expect((await fetch(`${studio.url}/view_metadata/embeddings?filename=missing.safetensors`)).status).toBe(
      404,
    );
    expect(
      (await fetch(`${studio.url}/view_metadata/embeddings?filename=../../data/x.safetensors`)).status,
    ).toBe(404);
  });
});
