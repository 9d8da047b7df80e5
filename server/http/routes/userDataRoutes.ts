/**
 * ComfyUI's `/settings` and `/userdata` routes over `<data-dir>/user/`: settings live in
 * `comfy.settings.json`; user files (workflows/ among them, shared with `/api/workflows`) are read and
 * written by a URL-encoded relative path that must stay inside the user folder.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { writeFileAtomic } from '../../storage/atomicWrite';
import { isSafeFileName, resolveInside } from '../../storage/safePath';
import { sendError } from '../httpErrors';
import type { StudioServices } from '../services';

const settingsSchema = z.record(z.string(), z.unknown());

/** Paths under `root`, relative and with forward slashes (files only). */
async function listFiles(root: string, dir: string, recurse: boolean): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isFile()) out.push(path.relative(root, full).split(path.sep).join('/'));
    else if (entry.isDirectory() && recurse) out.push(...(await listFiles(root, full, true)));
  }
  return out.sort();
}

/** The user file a request names, or null after answering 400/403. */
function userFile(req: Request, res: Response, root: string): string | null {
  const raw = String(req.params.file ?? '');
  const segments = raw.split('/');
  const file = segments.every(isSafeFileName) ? resolveInside(root, ...segments) : null;
  if (!file || file === root) {
    sendError(
      res,
      400,
      'invalid_path',
      'Invalid user file path',
      'use a relative path such as workflows%2Fname.json',
    );
    return null;
  }
  return file;
}

export function userDataRoutes(services: StudioServices): Router {
  const root = services.dirs.user;
  const settingsFile = path.join(root, 'comfy.settings.json');
  const router = Router();

  const readSettings = async (): Promise<Record<string, unknown>> => {
    const text = await readFile(settingsFile, 'utf8').catch(() => '{}');
    try {
      const parsed = settingsSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  };
  const writeSettings = (settings: Record<string, unknown>): Promise<void> =>
    writeFileAtomic(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);

  router.get('/settings', async (_req, res) => {
    res.json(await readSettings());
  });

  router.get('/settings/:id', async (req, res) => {
    res.json((await readSettings())[req.params.id] ?? null);
  });

  router.post('/settings', async (req, res) => {
    const parsed = settingsSchema.safeParse(req.body);
    if (!parsed.success) {
      sendError(
        res,
        400,
        'invalid_request',
        'Settings must be a JSON object',
        'send {"Setting.id": value, ...}',
      );
      return;
    }
    await writeSettings({ ...(await readSettings()), ...parsed.data });
    res.json({});
  });

  router.post('/settings/:id', async (req, res) => {
    await writeSettings({ ...(await readSettings()), [req.params.id]: req.body ?? null });
    res.json({});
  });

  router.get('/userdata', async (req, res) => {
    const dir = typeof req.query.dir === 'string' ? req.query.dir : '';
    if (!dir) {
      sendError(res, 400, 'invalid_request', 'Directory not provided', 'add ?dir=workflows');
      return;
    }
    const folder = resolveInside(root, dir);
    if (!folder || folder === root) {
      sendError(res, 403, 'invalid_path', 'Refused directory', 'name a folder inside the user folder');
      return;
    }
    if (!(await stat(folder).catch(() => null))?.isDirectory()) {
      sendError(
        res,
        404,
        'not_found',
        'Directory not found',
        'GET /userdata?dir=workflows lists saved workflows',
      );
      return;
    }
    const files = await listFiles(folder, folder, req.query.recurse === 'true');
    if (req.query.full_info === 'true') {
      const infos = await Promise.all(
        files.map(async (f) => {
          const info = await stat(path.join(folder, f));
          return { path: f, size: info.size, modified: info.mtimeMs / 1000 };
        }),
      );
      res.json(infos);
      return;
    }
    res.json(req.query.split === 'true' ? files.map((f) => [f, ...f.split('/')]) : files);
  });

  router.get('/userdata/:file', async (req, res) => {
    const file = userFile(req, res, root);
    if (!file) return;
    if (!(await stat(file).catch(() => null))?.isFile()) {
      sendError(res, 404, 'not_found', 'No such user file', 'GET /userdata?dir=workflows lists them');
      return;
    }
    res.sendFile(file, { dotfiles: 'allow' });
  });

  router.post(
    '/userdata/:file',
    express.raw({ type: () => true, limit: services.maxUploadBytes }),
    async (req, res) => {
      const file = userFile(req, res, root);
      if (!file) return;
      const existing = await stat(file).catch(() => null);
      if (existing && !existing.isFile()) {
        sendError(res, 409, 'exists', 'A folder of that name exists', 'pick another name');
        return;
      }
      if (existing && req.query.overwrite === 'false') {
        sendError(res, 409, 'exists', 'File already exists', 'POST with overwrite=true to replace it');
        return;
      }
      const body: unknown = req.body;
      await writeFileAtomic(file, Buffer.isBuffer(body) ? body : Buffer.alloc(0));
      const relative = path.relative(root, file).split(path.sep).join('/');
      if (req.query.full_info === 'true') {
        const info = await stat(file);
        res.json({ path: relative, size: info.size, modified: info.mtimeMs / 1000 });
      } else res.json(relative);
    },
  );

  router.delete('/userdata/:file', async (req, res) => {
    const file = userFile(req, res, root);
    if (!file) return;
    if (!(await stat(file).catch(() => null))?.isFile()) {
      sendError(res, 404, 'not_found', 'No such user file', 'GET /userdata?dir=workflows lists them');
      return;
    }
    await rm(file);
    res.status(204).end();
  });

  return router;
}
