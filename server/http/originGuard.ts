/**
 * Cross-origin protection: a state-changing request (or WebSocket upgrade) whose `Origin` names another
 * host than the one it was sent to is refused with 403, unless `--enable-cors-header` was given, in which
 * case CORS headers are added instead. Requests without `Origin` (scripts, curl) pass.
 */
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './httpErrors';

/** True when the request's Origin (if any) matches its Host header. */
export function originMatchesHost(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (!host) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `corsOrigin`: the value of `--enable-cors-header` ('*' or an origin), or undefined when disabled. */
export function originGuard(corsOrigin: string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (corsOrigin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', corsOrigin);
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      next();
      return;
    }
    if (!SAFE_METHODS.has(req.method) && !originMatchesHost(req)) {
      sendError(
        res,
        403,
        'forbidden_origin',
        `Refused a ${req.method} from origin ${req.headers.origin ?? ''} to host ${req.headers.host ?? ''}`,
        'open the studio from its own address, or start it with --enable-cors-header [ORIGIN]',
      );
      return;
    }
    next();
  };
}
