/**
 * `/api/workflows[/{name}]`: the user's saved UI workflows (data/user/workflows, atomic writes) plus the
 * shipped examples in `workflows/`, which are listed and readable but never written or deleted.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { writeFileAtomic } from '../../storage/atomicWrite';
import { MAX_NAME_BYTES } from '../../storage/safePath';
import { userWorkflowsDir } from '../../storage/studioDirs';
import { sendError } from '../httpErrors';
import type { StudioServices } from '../services';
import { uiWorkflowSchema, type WorkflowListItem } from '../../../protocol/wireSchemas';
import { WORKFLOW_NAME_PATTERN } from '../../../protocol/workflowNames';

/**
 * The bare workflow name, or null if it is not allowed: WORKFLOW_NAME_PATTERN (letters, digits, space,
 * `_ - . ( )`, 1–100 characters, no leading dot) and at most 195 bytes. `.json` optional.
 */
export function workflowName(raw: string): string | null {
  const name = raw.endsWith('.json') ? raw.slice(0, -5) : raw;
  const fits = Buffer.byteLength(`${name}.json`) <= MAX_NAME_BYTES;
  return fits && WORKFLOW_NAME_PATTERN.test(name) && !name.includes('..') ? name : null;
}

async function listFolder(dir: string, source: 'user' | 'shipped'): Promise<WorkflowListItem[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const items: WorkflowListItem[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const name = workflowName(entry.name);
    if (!name) continue;
    const info = await stat(path.join(dir, entry.name));
    items.push({ name, source, readOnly: source === 'shipped', modified: info.mtimeMs, size: info.size });
  }
  return items.sort((a, b) => a.name.localeCompare(b.name));
}

export function workflowRoutes(services: StudioServices): Router {
  const userDir = userWorkflowsDir(services.dirs);
  const shippedDir = services.shippedWorkflowsDir;
  const router = Router();
  const fileOf = (dir: string, name: string): string => path.join(dir, `${name}.json`);
  const exists = async (file: string): Promise<boolean> =>
    (await stat(file).catch(() => null))?.isFile() ?? false;
  const badName = (res: Parameters<Parameters<Router['get']>[1]>[1], raw: string): void =>
    sendError(
      res,
      400,
      'invalid_name',
      `Invalid workflow name "${raw}"`,
      'use 1–100 letters, digits, spaces, _ - . ( ) (at most 195 bytes); no slashes, no ".."',
    );

  router.get('/workflows', async (_req, res) => {
    const user = await listFolder(userDir, 'user');
    const shipped = (await listFolder(shippedDir, 'shipped')).filter(
      (s) => !user.some((u) => u.name === s.name),
    );
    res.json([...user, ...shipped]);
  });

  router.get('/workflows/:name', async (req, res) => {
    const name = workflowName(req.params.name);
    if (!name) return badName(res, req.params.name);
    for (const dir of [userDir, shippedDir]) {
      const text = await readFile(fileOf(dir, name), 'utf8').catch(() => null);
      if (text !== null) {
        res.type('application/json').send(text);
        return;
      }
    }
    sendError(res, 404, 'not_found', `No workflow named "${name}"`, 'GET /api/workflows lists them');
  });

  router.put('/workflows/:name', async (req, res) => {
    const name = workflowName(req.params.name);
    if (!name) return badName(res, req.params.name);
    if (await exists(fileOf(shippedDir, name))) {
      sendError(
        res,
        403,
        'read_only',
        `"${name}" is a shipped example and read-only`,
        'save it under another name',
      );
      return;
    }
    const parsed = uiWorkflowSchema.safeParse(req.body);
    if (!parsed.success) {
      sendError(
        res,
        400,
        'invalid_workflow',
        'The body is not a UI workflow',
        `${z.prettifyError(parsed.error)}; send the canvas JSON ({nodes, links, version, ...})`,
      );
      return;
    }
    const file = fileOf(userDir, name);
    if (req.query.overwrite === 'false' && (await exists(file))) {
      sendError(
        res,
        409,
        'exists',
        `A workflow named "${name}" already exists`,
        'pick another name or PUT with overwrite=true',
      );
      return;
    }
    await writeFileAtomic(file, `${JSON.stringify(req.body, null, 2)}\n`);
    res.json({ name });
  });

  router.delete('/workflows/:name', async (req, res) => {
    const name = workflowName(req.params.name);
    if (!name) return badName(res, req.params.name);
    const file = fileOf(userDir, name);
    if (!(await exists(file))) {
      const shipped = await exists(fileOf(shippedDir, name));
      if (shipped)
        sendError(
          res,
          403,
          'read_only',
          `"${name}" is a shipped example and read-only`,
          'only saved workflows can be deleted',
        );
      else sendError(res, 404, 'not_found', `No workflow named "${name}"`, 'GET /api/workflows lists them');
      return;
    }
    await rm(file);
    res.json({ deleted: name });
  });

  return router;
}
