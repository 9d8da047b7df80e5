/**
 * The one way tests start a studio: a real server on an ephemeral port in a temp data dir, plus small
 * HTTP/WebSocket helpers. The browser tests build on it (tests/browser/browserHarness.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { silentLogger, type StudioOptions } from '../../server/config';
import { type Studio, startStudio } from '../../server/studio';

export async function tempRoot(prefix = 'studio-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A studio in a fresh temp dir (or `root`), quiet, CPU, without startup tasks unless asked. */
export async function startTestStudio(
  options: StudioOptions & { root?: string } = {},
): Promise<Studio & { root: string }> {
  const root = options.root ?? (await tempRoot());
  const studio = await startStudio({
    port: 0,
    dataDir: path.join(root, 'data'),
    modelsDir: path.join(root, 'models'),
    executionProvider: 'cpu',
    runStartupTasks: false,
    logger: silentLogger,
    ...options,
  });
  return Object.assign(studio, { root });
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export interface WsFrameRecord {
  type: string;
  data: Record<string, unknown>;
}

/** A WebSocket client that records JSON frames and binary frames. */
export class WsRecorder {
  readonly frames: WsFrameRecord[] = [];
  readonly binary: Buffer[] = [];
  private listeners: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (isBinary) this.binary.push(buffer);
      else this.frames.push(JSON.parse(buffer.toString('utf8')) as WsFrameRecord);
      for (const listener of this.listeners) listener();
    });
  }

  static open(baseUrl: string, clientId: string, headers: Record<string, string> = {}): Promise<WsRecorder> {
    const socket = new WebSocket(
      `${baseUrl.replace(/^http/, 'ws')}/ws?clientId=${encodeURIComponent(clientId)}`,
      { headers },
    );
    const recorder = new WsRecorder(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(recorder));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused with ${res.statusCode}`)),
      );
    });
  }

  /** Resolves with the first recorded frame (past or future) that matches. */
  waitFor(match: (frame: WsFrameRecord) => boolean, timeoutMs = 15_000): Promise<WsFrameRecord> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.frames.find(match);
        if (found) {
          this.listeners = this.listeners.filter((l) => l !== listener);
          clearTimeout(timer);
          resolve(found);
        }
        return Boolean(found);
      };
      const listener = (): void => void check();
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`timed out waiting for a frame; got ${this.frames.map((f) => f.type).join(', ')}`));
      }, timeoutMs);
      this.listeners.push(listener);
      check();
    });
  }

  /** Waits for `executing` with node null for this prompt. */
  finished(promptId: string, timeoutMs?: number): Promise<WsFrameRecord> {
    return this.waitFor(
      (f) => f.type === 'executing' && f.data.node === null && f.data.prompt_id === promptId,
      timeoutMs,
    );
  }

  framesOf(promptId: string): WsFrameRecord[] {
    return this.frames.filter((f) => f.data.prompt_id === promptId);
  }

  close(): void {
    this.socket.close();
  }
}

/** Polls `condition` every 20 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
