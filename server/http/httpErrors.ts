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

/** Last middleware: body-parser/multer errors keep their status; anything else is a 500 that is logged. */
export function errorHandler(log: (err: unknown) => void) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const record = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
    if (record.code === 'LIMIT_FILE_SIZE' || record.type === 'entity.too.large') {
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
    const status = statusOf(err);
    if (status !== undefined && status >= 400 && status < 500) {
      sendError(res, status, 'bad_request', err instanceof Error ? err.message : 'Bad request');
      return;
    }
    log(err);
    sendError(res, 500, 'server_error', err instanceof Error ? err.message : String(err));
  };
}
