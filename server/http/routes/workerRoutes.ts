/**
 * The worker channel's file routes (queue mode), all behind the shared secret: a worker lists a folder
 * (`/worker/manifest?folder=input`) and fetches what it lacks, and uploads what its prompts wrote
 * (images, embeddings, training checkpoints) into the same folders the in-process studio writes.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { writeFileAtomic } from '../../storage/atomicWrite';
import { listFilesRecursive } from '../../storage/listFiles';
import { resolveInside } from '../../storage/safePath';
import { nextFreeCandidate, writeFileUnique } from '../../storage/uniqueFile';
import { type StudioDirs, workerFolderRoot } from '../../storage/studioDirs';
import {
  type ManifestEntry,
  WORKER_FILES_PATH,
  WORKER_MANIFEST_PATH,
  workerFolderSchema,
} from '../../../protocol/workerMessages';
import { sendError } from '../httpErrors';
import { bearerMatches, WRONG_SECRET_MESSAGE } from '../workerSecret';

export function workerRoutes(options: { secret: string; dirs: StudioDirs; maxUploadBytes: number }): Router {
  const router = Router();
  router.use(['/worker', '/api/worker'], (req: Request, res: Response, next: NextFunction) => {
    if (bearerMatches(req, options.secret)) next();
    else sendError(res, 401, 'unauthorized', WRONG_SECRET_MESSAGE);
  });

  const folderOf = (req: Request, res: Response, raw: unknown): string | null => {
    const folder = workerFolderSchema.safeParse(raw);
    if (folder.success) return workerFolderRoot(options.dirs, folder.data);
    sendError(
      res,
      400,
      'invalid_request',
      `unknown worker folder "${String(raw).slice(0, 50)}"`,
      `expected one of ${workerFolderSchema.options.join(', ')}`,
    );
    return null;
  };

  router.get(WORKER_MANIFEST_PATH, async (req, res) => {
    const root = folderOf(req, res, req.query.folder);
    if (!root) return;
    const under = typeof req.query.under === 'string' ? req.query.under : '';
    const base = resolveInside(root, under);
    if (!base) {
      sendError(res, 400, 'invalid_request', `folder "${under.slice(0, 200)}" is outside the studio folder`);
      return;
    }
    const files = await listFilesRecursive(base);
    const entries: ManifestEntry[] = [];
    for (const rel of files) {
      const info = await stat(path.join(base, rel)).catch(() => null);
      if (info) entries.push({ path: under ? `${under}/${rel}` : rel, size: info.size, mtime: info.mtimeMs });
    }
    res.json(entries);
  });

  const fileOf = (req: Request, res: Response): string | null => {
    const root = folderOf(req, res, req.params.folder);
    if (!root) return null;
    const rel = ([] as string[]).concat(req.params.file ?? []).join('/');
    const file = rel ? resolveInside(root, rel) : null;
    if (!file) sendError(res, 400, 'invalid_request', `file "${rel.slice(0, 200)}" is outside the folder`);
    return file;
  };

  router.get(`${WORKER_FILES_PATH}/:folder/*file`, (req, res) => {
    const file = fileOf(req, res);
    if (file) res.sendFile(file, { dotfiles: 'deny' });
  });

  router.put(
    `${WORKER_FILES_PATH}/:folder/*file`,
    express.raw({ type: () => true, limit: options.maxUploadBytes }),
    async (req, res) => {
      const file = fileOf(req, res);
      if (!file) return;
      const body: unknown = req.body;
      if (!Buffer.isBuffer(body)) {
        sendError(res, 400, 'invalid_request', 'empty upload', 'send the file as the request body');
        return;
      }
      // a new file of a worker never replaces another's (two workers both save prefix_00001_.png):
      // it gets the next free name, which the worker puts in the outputs it reports
      if (req.query.create === '1') {
        const name = await writeFileUnique(path.dirname(file), path.basename(file), body, nextFreeCandidate);
        res.json({ name });
        return;
      }
      await writeFileAtomic(file, body);
      res.json({ name: path.basename(file) });
    },
  );
  return router;
}
