/** `/object_info`, `/embeddings`, `/models`, `/system_stats`: what the studio can do and has. */
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Router } from 'express';
import { listFilesRecursive } from '../../storage/listFiles';
import { MODEL_FOLDERS } from '../../storage/studioDirs';
import { isSafeFileName } from '../../storage/safePath';
import { errorBody } from '../httpErrors';
import type { StudioServices } from '../services';

export function infoRoutes(services: StudioServices): Router {
  const { registry, dirs } = services;
  const router = Router();

  router.get('/object_info', async (_req, res) => {
    res.json(await registry.objectInfo());
  });

  router.get('/object_info/:nodeClass', async (req, res) => {
    const entry = await registry.describe(req.params.nodeClass);
    res.json(entry ? { [req.params.nodeClass]: entry } : {});
  });

  router.get('/embeddings', async (_req, res) => {
    const files = await listFilesRecursive(path.join(dirs.models, 'embeddings'));
    res.json(files.map((f) => f.replace(/\.[^./]+$/, '')));
  });

  router.get('/models', async (_req, res) => {
    const entries = await readdir(dirs.models, { withFileTypes: true }).catch(() => []);
    const found = entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'cache')
      .map((e) => e.name);
    res.json([...new Set([...MODEL_FOLDERS, ...found])].sort());
  });

  router.get('/models/:folder', async (req, res) => {
    const { folder } = req.params;
    const dir = path.join(dirs.models, folder);
    const isDir =
      isSafeFileName(folder) && folder !== 'cache' && (await stat(dir).catch(() => null))?.isDirectory();
    if (!isDir) {
      res
        .status(404)
        .json(errorBody('not_found', `Unknown model folder "${folder}"`, 'GET /models lists the folders'));
      return;
    }
    res.json(await listFilesRecursive(dir));
  });

  router.get('/system_stats', (_req, res) => {
    const memory = process.memoryUsage();
    res.json({
      system: {
        os: process.platform,
        ram_total: os.totalmem(),
        ram_free: os.freemem(),
        comfyui_version: services.version,
        studio_version: services.version,
        python_version: `node ${process.version}`,
        node_version: process.version,
        pytorch_version: 'n/a (onnxruntime-node)',
        embedded_python: false,
        argv: process.argv.slice(2),
        execution_provider: services.executionProvider,
      },
      devices: [
        {
          name: services.executionProvider === 'cuda' ? 'cuda:0' : 'cpu',
          type: services.executionProvider,
          index: 0,
          vram_total: services.executionProvider === 'cuda' ? 0 : os.totalmem(),
          vram_free: services.executionProvider === 'cuda' ? 0 : os.freemem(),
          torch_vram_total: 0,
          torch_vram_free: 0,
          process_rss: memory.rss,
        },
      ],
      ...(services.workerChannel ? { workers: services.workerChannel.workers() } : {}),
    });
  });

  return router;
}
