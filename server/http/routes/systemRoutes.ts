/** ComfyUI's housekeeping routes: `/free`, `/extensions`, `/internal/logs`, `/view_metadata/{folder}`. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { isSafeFileName, resolveInside } from '../../storage/safePath';
import { readSafetensorsMetadata } from '../../storage/safetensorsMetadata';
import { sendError } from '../httpErrors';
import type { StudioServices } from '../services';

const freeSchema = z.looseObject({
  unload_models: z.boolean().optional(),
  free_memory: z.boolean().optional(),
});

export function systemRoutes(services: StudioServices): Router {
  const router = Router();

  // Models are loaded per prompt through the output cache; dropping it frees them and every intermediate.
  router.post('/free', (req, res) => {
    const parsed = freeSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      sendError(
        res,
        400,
        'invalid_request',
        'Invalid /free body',
        'send {"unload_models": true, "free_memory": true}',
      );
      return;
    }
    if (parsed.data.unload_models || parsed.data.free_memory) services.executor.cache.clear();
    res.json({});
  });

  // The studio's canvas is built in; it serves no ComfyUI front-end extensions.
  router.get('/extensions', (_req, res) => {
    res.json([]);
  });

  router.get('/internal/logs', (_req, res) => {
    res.json(services.logs.text());
  });

  router.get('/internal/logs/raw', (_req, res) => {
    res.json({ entries: services.logs.entries(), size: { cols: 120, rows: 40 } });
  });

  router.get('/view_metadata/:folder', async (req, res) => {
    const { folder } = req.params;
    const filename = typeof req.query.filename === 'string' ? req.query.filename : '';
    const root =
      isSafeFileName(folder) && folder !== 'cache' ? path.join(services.dirs.models, folder) : null;
    const file = root && filename ? resolveInside(root, filename) : null;
    const isFile = file ? ((await stat(file).catch(() => null))?.isFile() ?? false) : false;
    if (!file || !isFile || !filename.toLowerCase().endsWith('.safetensors')) {
      sendError(
        res,
        404,
        'not_found',
        `No safetensors file "${filename.slice(0, 200)}" in model folder "${folder.slice(0, 100)}"`,
        'GET /models/{folder} lists the files',
      );
      return;
    }
    const metadata = await readSafetensorsMetadata(file);
    if (!metadata) {
      sendError(
        res,
        404,
        'not_found',
        `"${filename.slice(0, 200)}" is not a safetensors file`,
        'check the file',
      );
      return;
    }
    res.json(metadata);
  });

  return router;
}
