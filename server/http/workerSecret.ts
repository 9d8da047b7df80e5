/** The shared secret of queue mode: workers send `Authorization: Bearer <secret>` on every request. */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Minimum secret length the server and workers accept. */
export const MIN_SECRET_LENGTH = 16;

export function bearerMatches(req: IncomingMessage, secret: string): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Why the worker channel refused a request, with the fix. */
export const WRONG_SECRET_MESSAGE =
  "worker channel: missing or wrong secret; start the worker with --secret (or STUDIO_SECRET) equal to the server's";
