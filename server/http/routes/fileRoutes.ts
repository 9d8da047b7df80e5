/**
 * `/upload/image` and `/view`: the only routes that touch files by a name the client chooses, so every
 * name is checked to be a single safe segment and every path to stay inside input/, output/ or temp/.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type RequestHandler, Router } from 'express';
import multer from 'multer';
import { probeImage } from '../../image/imageIO';
import type { StudioDirs } from '../../engine/nodeDefinition';
import { writeFileAtomic } from '../../storage/atomicWrite';
import { isSafeFileName, resolveInside } from '../../storage/safePath';
import { BadRequestBodyError, sendError } from '../httpErrors';
import type { StudioServices } from '../services';
import type { UploadResult } from '../../../protocol/wireSchemas';

type FolderType = 'input' | 'output' | 'temp';

function folderRoot(dirs: StudioDirs, type: unknown): string | null {
  if (type === undefined || type === '') return null;
  if (type === 'input' || type === 'output' || type === 'temp') return dirs[type];
  return null;
}

function asString(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * `name`, else `name (1).ext`, `name (2).ext`, … — or the existing name when its bytes are identical.
 * A folder of that name is never a candidate; with `overwrite` an existing file is replaced.
 */
async function chooseUploadName(
  dir: string,
  name: string,
  bytes: Uint8Array,
  overwrite: boolean,
): Promise<string> {
  const ext = path.extname(name);
  const base = name.slice(0, name.length - ext.length);
  const digest = sha256(bytes);
  for (let i = 0; ; i += 1) {
    const candidate = i === 0 ? name : `${base} (${i})${ext}`;
    const info = await stat(path.join(dir, candidate)).catch(() => null);
    if (!info) return candidate;
    if (!info.isFile()) continue;
    if (overwrite || sha256(await readFile(path.join(dir, candidate))) === digest) return candidate;
  }
}

export function fileRoutes(services: StudioServices): Router {
  const { dirs } = services;
  const router = Router();
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: services.maxUploadBytes, files: 1, fields: 16, parts: 24, fieldSize: 64 * 1024 },
    defParamCharset: 'utf8',
  });
  const single = upload.single('image');
  // busboy's own errors ("Unexpected end of form", "Malformed part header", …) are plain Errors: mark them 400
  const readUpload: RequestHandler = (req, res, next) =>
    single(req, res, (err: unknown) => {
      if (!err || (typeof err === 'object' && 'code' in err)) next(err);
      else
        next(
          new BadRequestBodyError(
            `Malformed multipart body: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
    });

  router.post('/upload/image', readUpload, async (req, res) => {
    const file = req.file;
    if (!file) {
      sendError(
        res,
        400,
        'invalid_upload',
        'No file in field "image"',
        'send multipart/form-data with the file in a field named image',
      );
      return;
    }
    const type = asString(req.body?.type, 'input') as FolderType;
    const root = folderRoot(dirs, type);
    if (!root) {
      sendError(res, 400, 'invalid_upload', `Unknown upload type "${type}"`, 'use input, temp or output');
      return;
    }
    const name = file.originalname;
    const subfolder = asString(req.body?.subfolder, '');
    const dir = resolveInside(root, subfolder);
    if (!isSafeFileName(name) || !dir) {
      sendError(
        res,
        400,
        'invalid_path',
        `Refused upload name "${name}" in subfolder "${subfolder}"`,
        'use a plain file name and a subfolder inside the folder',
      );
      return;
    }
    if (!(await probeImage(file.buffer))) {
      sendError(
        res,
        400,
        'invalid_image',
        `"${name}" is not an image sharp can decode`,
        'upload a PNG, JPEG, WebP, GIF, TIFF or AVIF file',
      );
      return;
    }
    await mkdir(dir, { recursive: true });
    // Saved results are never replaced by an upload; input/ and temp/ files are when asked.
    const overwrite = type !== 'output' && /^(true|1)$/i.test(asString(req.body?.overwrite, ''));
    const finalName = await chooseUploadName(dir, name, file.buffer, overwrite);
    await writeFileAtomic(path.join(dir, finalName), file.buffer);
    const body: UploadResult = {
      name: finalName,
      subfolder: path.relative(root, dir).split(path.sep).join('/'),
      type,
    };
    res.json(body);
  });

  router.get('/view', async (req, res) => {
    const filename = asString(req.query.filename, '');
    const subfolder = asString(req.query.subfolder, '');
    const type = asString(req.query.type, 'output');
    const root = folderRoot(dirs, type);
    if (!root) {
      sendError(res, 400, 'invalid_path', `Unknown type "${type}"`, 'use output, input or temp');
      return;
    }
    if (!isSafeFileName(filename)) {
      sendError(
        res,
        400,
        'invalid_path',
        `Refused file name "${filename}"`,
        'name a single file; put folders in subfolder',
      );
      return;
    }
    const file = resolveInside(root, subfolder, filename);
    if (!file) {
      sendError(
        res,
        403,
        'invalid_path',
        `Refused subfolder "${subfolder}"`,
        `the file must be inside the ${type} folder`,
      );
      return;
    }
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      sendError(
        res,
        404,
        'not_found',
        `No file "${filename}" in ${type}/${subfolder}`,
        'check the name in /history outputs',
      );
      return;
    }
    res.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(filename)}`);
    res.sendFile(file, { dotfiles: 'allow', headers: { 'Cache-Control': 'no-cache' } });
  });

  return router;
}
