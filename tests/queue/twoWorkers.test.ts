import { cp, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../server/config';
import { redisSkipReason } from '../support/redisServer';
import { withSkipReason } from '../support/skipReason';
import { QueueCluster } from './queueCluster';

const skip = redisSkipReason();
const SECRET = 'test-secret-0123456789';

/** The cheapest real prompt: a solid 32×32 image, inverted, saved. */
const invertPrompt = (color: number, prefix: string) => ({
  '1': { class_type: 'EmptyImage', inputs: { width: 32, height: 32, batch_size: 1, color } },
  '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
  '3': { class_type: 'SaveImage', inputs: { filename_prefix: prefix, images: ['2', 0] } },
});

let cluster: QueueCluster;

beforeAll(async () => {
  if (skip) return;
  cluster = await QueueCluster.start({
    secret: SECRET,
    rootPrefix: 'studio-queue-two-',
    clientId: 'q',
    workers: ['w1', 'w2'],
    studio: { maxUploadBytes: 1024 * 1024 },
  });
  await cluster.waitForWorkers();
});

afterAll(() => cluster?.stop());

describe.skipIf(skip !== undefined)(
  withSkipReason('queue mode: one server, two worker processes', skip),
  () => {
    it('lists the workers in /system_stats with device and execution provider', async () => {
      const listed = await cluster.systemWorkers();
      expect(listed.map((w) => w.name).sort()).toEqual(['w1', 'w2']);
      for (const w of listed) {
        expect(w.execution_provider).toBe('cpu');
        expect(w.device).toMatch(/^cpu: .+ × \d+$/);
      }
    });

    it('spreads 20 prompts over both workers, relays their events and stores their outputs', async () => {
      const { studio, ws } = cluster;
      const ids: string[] = [];
      for (let i = 0; i < 20; i += 1) ids.push(await cluster.queue(invertPrompt(i * 10, 'queue/p')));
      for (const id of ids) await ws.finished(id);
      const history = await cluster.history();
      const ranBy = new Map<string, number>();
      const names = new Set<string>();
      for (const [i, id] of ids.entries()) {
        const entry = history[id];
        expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
        // both workers save queue/p_00001_.png first: the server keeps each under its own name
        const [image] = entry.outputs['3'].images as { filename: string; subfolder: string; type: string }[];
        expect(image).toMatchObject({ subfolder: 'queue', type: 'output' });
        expect(image.filename).toMatch(/^p_\d{5}_\.png$/);
        names.add(image.filename);
        const pixel = await sharp(path.join(studio.dirs.output, 'queue', image.filename))
          .raw()
          .toBuffer();
        expect([...pixel.subarray(0, 3)]).toEqual([255, 255, 255 - i * 10]);
        ranBy.set(entry.worker ?? '', (ranBy.get(entry.worker ?? '') ?? 0) + 1);
        expect(entry.attempts?.map((a) => [a.worker, a.status])).toEqual([[entry.worker, 'success']]);
        // the client sees the same events as in-process, in order
        expect(ws.framesOf(id).map((f) => f.type)).toEqual([
          'execution_start',
          'execution_cached',
          'executing',
          'executing',
          'executing',
          'executed',
          'execution_success',
          'executing',
        ]);
      }
      expect(names.size).toBe(20);
      expect([...ranBy.keys()].sort()).toEqual(['w1', 'w2']);
      expect(Math.min(...ranBy.values())).toBeGreaterThan(0);
      const view = await fetch(`${studio.url}/view?filename=p_00001_.png&subfolder=queue&type=output`);
      expect(view.status).toBe(200);
      expect(await (await fetch(`${studio.url}/prompt`)).json()).toEqual({
        exec_info: { queue_remaining: 0 },
      });
    });

    it('fails a prompt naming a model the worker lacks, with an error naming the worker and the model', async () => {
      const { studio, ws } = cluster;
      // the server has the toy checkpoint (so the prompt validates); the workers' models folders are empty
      await cp(
        path.join(repoRoot, 'models', 'checkpoints', 'toy-shapes.safetensors'),
        path.join(studio.dirs.models, 'checkpoints', 'toy-shapes.safetensors'),
      );
      const prompt: unknown = JSON.parse(
        await readFile(path.join(repoRoot, 'workflows', 'api', 'txt2img.json'), 'utf8'),
      );
      const id = await cluster.queue(prompt);
      const error = await ws.waitFor((f) => f.type === 'execution_error' && f.data.prompt_id === id);
      await ws.finished(id);
      const entry = await cluster.historyOf(id);
      expect(entry?.status.status_str).toBe('error');
      const message = String(error.data.exception_message);
      expect(message).toContain(`worker "${entry?.worker}" cannot run this prompt`);
      expect(message).toContain('toy-shapes.safetensors');
      expect(message).toContain("copy the missing models into that worker's --models-dir");
      expect(error.data).toMatchObject({ node_id: '4', node_type: 'CheckpointLoaderSimple' });
    });

    it('refuses workers and worker requests without the shared secret, and bounds uploads', async () => {
      const { studio } = cluster;
      const intruder = cluster.spawnWorker('intruder', { secret: 'x'.repeat(20) });
      const anonymous = cluster.spawnWorker('anonymous', { secret: undefined });
      const noSecret = await fetch(`${studio.url}/worker/manifest?folder=input`);
      expect(noSecret.status).toBe(401);
      expect(((await noSecret.json()) as { error: { message: string } }).error.message).toContain('--secret');
      // a worker's output, uploaded with the secret, is in the manifest
      await cluster.ws.finished(await cluster.queue(invertPrompt(0, 'auth/p')));
      const auth = { authorization: `Bearer ${SECRET}` };
      const manifest = await fetch(`${studio.url}/worker/manifest?folder=output&under=auth`, {
        headers: auth,
      });
      expect(((await manifest.json()) as { path: string }[]).map((e) => e.path)).toContain(
        'auth/p_00001_.png',
      );
      const badFolder = await fetch(`${studio.url}/worker/manifest?folder=models`, { headers: auth });
      expect(badFolder.status).toBe(400);
      expect(((await badFolder.json()) as { error: { details: string } }).error.details).toBe(
        'expected one of input, output, temp, embeddings',
      );
      const put = (rel: string, bytes: number) =>
        fetch(`${studio.url}/worker/files/output/${rel}`, {
          method: 'PUT',
          headers: auth,
          body: new Uint8Array(bytes),
        });
      expect((await put('%2e%2e/escape.bin', 10)).status).toBe(400);
      expect((await put('big.bin', 2 * 1024 * 1024)).status).toBe(413);
      expect((await put('small/ok.bin', 10)).status).toBe(200);
      expect((await stat(path.join(studio.dirs.output, 'small', 'ok.bin'))).size).toBe(10);

      expect(await intruder.exited).toBe(1);
      expect(intruder.output()).toContain("refused the worker's secret");
      expect(await anonymous.exited).toBe(1);
      expect(anonymous.output()).toContain('refuses to run without one');
      expect((await cluster.systemWorkers()).map((w) => w.name).sort()).toEqual(['w1', 'w2']);
    });
  },
);
