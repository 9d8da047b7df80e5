/** JSON error bodies in the validation-error shape, and the express error handler that produces them. */
import type { NextFunction, Request, Response } from 'express';
import type { ValidationError } from '../../protocol/wireSchemas';

/** `{type, message, details, extra_info}` for non-validation failures (bad paths, bad bodies, …). */
export function errorBody(
  type: string,
  message: string,
  details = '',
  extraInfo: Record<string, unknown> = {},
): { error: ValidationError } {
  return { error: { type, message, details, extra_info: extraInfo } };
}

export function sendError(res: Response, status: number, type: string, message: string, details = ''): void {
  res.status(status).json(errorBody(type, message, details));
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const record = err as Record<string, unknown>;
  const status = record.status ?? record.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** File-system failures a request's names or bodies can cause: 400 with a message that names no path. */
const FS_ERRORS: Record<string, string> = {
  ENAMETOOLONG: 'A file or folder name is too long',
  EISDIR: 'The name is a folder, not a file',
  ENOTDIR: 'A part of the path is a file, not a folder',
  ENOENT: 'No such file or folder',
  EEXIST: 'A file or folder of that name already exists',
  EINVAL: 'The name is not valid on this file system',
  EILSEQ: 'The name is not valid on this file system',
};

const MULTER_MESSAGES: Record<string, string> = {
  LIMIT_PART_COUNT: 'Too many parts in the form',
  LIMIT_FILE_COUNT: 'Too many files; send one file per upload',
  LIMIT_UNEXPECTED_FILE: 'Unexpected file field; send one file in a field named image',
  LIMIT_FIELD_KEY: 'A form field name is too long',
  LIMIT_FIELD_VALUE: 'A form field value is too long',
  LIMIT_FIELD_COUNT: 'Too many form fields',
  MISSING_FIELD_NAME: 'A form field has no name',
};

/** An error thrown while a request body was read or parsed (multer, busboy, body-parser). */
export class BadRequestBodyError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestBodyError';
  }
}

/**
 * Last middleware. Expected failures (bad bodies, multipart errors, names the file system refuses) become
 * 4xx JSON; anything else is logged and answered 500 without its message, so no path or stack trace leaves
 * the server.
 */
export function errorHandler(log: (err: unknown) => void) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const record = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
    const code = typeof record.code === 'string' ? record.code : '';
    if (code === 'LIMIT_FILE_SIZE' || record.type === 'entity.too.large') {
      sendError(
        res,
        413,
        'payload_too_large',
        'The request body is larger than the upload limit',
        'raise it with --max-upload-size (MB)',
      );
      return;
    }
    if (record.type === 'entity.parse.failed') {
      sendError(res, 400, 'invalid_json', 'The request body is not valid JSON', String(record.message ?? ''));
      return;
    }
    if (MULTER_MESSAGES[code]) {
      sendError(res, 400, 'invalid_upload', MULTER_MESSAGES[code], 'send multipart/form-data with one file');
      return;
    }
    if (FS_ERRORS[code]) {
      sendError(res, 400, 'invalid_path', FS_ERRORS[code], 'use a shorter plain name');
      return;
    }
    const status = statusOf(err);
    if (status !== undefined && status >= 400 && status < 500) {
      const message = err instanceof Error && !/[\/]/.test(err.message) ? err.message : 'Bad request';
      sendError(res, status, 'bad_request', message);
      return;
    }
    log(err);
    sendError(res, 500, 'server_error', 'Internal error', 'the server log has the details');
  };
}

/** Answers 404 with a JSON error for every path no route handled. */
export function notFoundHandler(req: Request, res: Response): void {
  sendError(
    res,
    404,
    'not_found',
    `No route for ${req.method} ${req.path.slice(0, 200)}`,
    'see the API routes in the README',
  );
}
