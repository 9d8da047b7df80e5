/** `--queue redis://HOST:PORT[/DB]` → the connection options BullMQ's Queue, Worker and QueueEvents take. */
import type { ConnectionOptions } from 'bullmq';

export function redisConnection(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--queue ${url}: not a URL; expected redis://HOST:PORT, e.g. redis://127.0.0.1:6379`);
  }
  if (parsed.protocol !== 'redis:' || !parsed.hostname)
    throw new Error(`--queue ${url}: expected redis://HOST:PORT, e.g. redis://127.0.0.1:6379`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db))
    throw new Error(`--queue ${url}: database "${db}" is not a number; use redis://HOST:PORT/0`);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: db === '' ? 0 : Number(db),
    // BullMQ's blocking commands need unlimited retries; a Redis restart is waited out, not fatal
    maxRetriesPerRequest: null,
  };
}
