/** Issue 14.5: only loopback names, IP literals, the --listen address and --allow-host names are served. */
import { type IncomingMessage, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../server/config';
import { hostAllowed } from '../../server/http/hostGuard';
import { startTestStudio, WsRecorder } from '../support/testStudio';
import type { TestStudio } from '../support/trainingStudio';

let studio: TestStudio;
beforeAll(async () => {
  studio = await startTestStudio({ allowedHosts: ['studio.lan', '.trusted.example'] });
});
afterAll(async () => {
  await studio.close();
});

/** A request to the studio with exactly these Host and Origin headers. */
function send(
  method: string,
  route: string,
  host: string,
  origin?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = method === 'POST' ? JSON.stringify({ prompt: {} }) : undefined;
    const req = request(
      {
        host: '127.0.0.1',
        port: studio.port,
        method,
        path: route,
        headers: {
          host,
          ...(origin ? { origin } : {}),
          ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Host header', () => {
  it.each([
    ['evil.example', 403],
    ['evil.example.', 403],
    ['localhost.evil.example', 403],
    ['studio.lan.evil.example', 403],
    ['localhost', 200],
    ['app.localhost', 200],
    ['127.0.0.1', 200],
    ['[::1]', 200],
    ['192.168.1.20', 200],
    ['studio.lan', 200],
    ['STUDIO.LAN', 200],
    ['a.trusted.example', 200],
  ])('GET /queue with Host %s:PORT → %i', async (name, status) => {
    const response = await send('GET', '/queue', `${name}:${studio.port}`);
    expect(response.status).toBe(status);
    if (status === 403) expect(JSON.parse(response.body).error.type).toBe('forbidden_host');
  });

  it('refuses a rebinding page: Origin and Host both evil.example', async () => {
    const evil = `evil.example:${studio.port}`;
    const response = await send('POST', '/prompt', evil, `http://${evil}`);
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error.details).toContain('--allow-host');
    expect(studio.queue.remaining()).toBe(0);
  });

  it('refuses WebSocket upgrades for a foreign host and accepts loopback ones', async () => {
    const evil = `evil.example:${studio.port}`;
    await expect(WsRecorder.open(studio.url, 'a', { host: evil, origin: `http://${evil}` })).rejects.toThrow(
      '403',
    );
    const ok = await WsRecorder.open(studio.url, 'b', { host: `localhost:${studio.port}` });
    ok.close();
  });
});

describe('--listen and --allow-host', () => {
  it('parses a comma list and repeats', () => {
    expect(parseCliArgs(['--allow-host', 'a.lan,.b.lan', '--allow-host=c.lan']).allowedHosts).toEqual([
      'a.lan',
      '.b.lan',
      'c.lan',
    ]);
  });

  it('serves the name it listens on', () => {
    const req = { headers: { host: 'mybox:8188' } } as IncomingMessage;
    expect(hostAllowed(req, { listen: 'mybox', extra: [] })).toBe(true);
    expect(hostAllowed(req, { listen: '0.0.0.0', extra: [] })).toBe(false);
  });
});
