/**
 * A worker's connection to the studio server: the `/worker/ws` socket (reconnected with backoff; frames
 * sent while it is down wait in an outbox, so a server restart loses no event or outcome) and the
 * authenticated HTTP calls for files. A wrong secret is fatal: the server answers 401 and the worker stops.
 */
import WebSocket from 'ws';
import { z } from 'zod';
import {
  type ManifestEntry,
  manifestSchema,
  type ServerFrame,
  serverFrameSchema,
  WORKER_FILES_PATH,
  WORKER_MANIFEST_PATH,
  WORKER_WS_PATH,
  type WorkerFolder,
  type WorkerFrame,
  type WorkerInfo,
} from '../../protocol/workerMessages';

/** How long file requests wait out an unreachable server (a restart) before the prompt fails. */
const SERVER_DOWN_MS = 60_000;

const uploadAnswerSchema = z.object({ name: z.string() });

export class WrongSecretError extends Error {
  constructor(server: string) {
    super(
      `the server ${server} refused the worker's secret; start the worker with the server's --secret (or STUDIO_SECRET)`,
    );
    this.name = 'WrongSecretError';
  }
}

export class ServerChannel {
  private ws: WebSocket | null = null;
  private readonly outbox: string[] = [];
  private readonly recordedWaiters = new Map<string, () => void>();
  private closed = false;
  private retryMs = 100;
  private connected: Promise<void>;
  private markConnected: () => void = () => undefined;
  onInterrupt: (promptId: string) => void = () => undefined;
  onFatal: (err: Error) => void = () => undefined;

  constructor(
    private readonly server: string,
    private readonly secret: string,
    private readonly info: WorkerInfo,
  ) {
    this.connected = new Promise((resolve) => (this.markConnected = resolve));
  }

  private get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.secret}` };
  }

  /** Opens the socket; resolves once connected the first time (rejects on a wrong secret). */
  start(): Promise<void> {
    this.open();
    return new Promise((resolve, reject) => {
      const previous = this.onFatal;
      this.onFatal = (err) => {
        previous(err);
        reject(err);
      };
      void this.connected.then(resolve);
    });
  }

  private open(): void {
    if (this.closed) return;
    const query = new URLSearchParams(Object.entries(this.info).map(([k, v]) => [k, String(v)]));
    const ws = new WebSocket(`${this.server.replace(/^http/, 'ws')}${WORKER_WS_PATH}?${query}`, {
      headers: this.headers,
      maxPayload: 1024 * 1024,
    });
    ws.on('open', () => {
      this.ws = ws;
      this.retryMs = 100;
      for (const frame of this.outbox.splice(0)) ws.send(frame);
      this.markConnected();
    });
    ws.on('message', (data) => {
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return;
      }
      const parsed = serverFrameSchema.safeParse(json);
      if (parsed.success) this.receive(parsed.data);
    });
    ws.on('unexpected-response', (_req, res) => {
      if (res.statusCode === 401) {
        this.closed = true;
        this.onFatal(new WrongSecretError(this.server));
      }
      ws.terminate();
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.ws === ws) this.ws = null;
      if (this.closed) return;
      this.connected = new Promise((resolve) => (this.markConnected = resolve));
      setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 2000);
    });
  }

  private receive(frame: ServerFrame): void {
    if (frame.kind === 'interrupt') this.onInterrupt(frame.prompt_id);
    else {
      this.recordedWaiters.get(frame.prompt_id)?.();
      this.recordedWaiters.delete(frame.prompt_id);
    }
  }

  send(frame: WorkerFrame): void {
    const text = JSON.stringify(frame);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
    else this.outbox.push(text);
  }

  /** Sends the outcome and resolves when the server has put it in history (resent after a reconnect). */
  finish(frame: Extract<WorkerFrame, { kind: 'finished' }>): Promise<void> {
    const recorded = new Promise<void>((resolve) => this.recordedWaiters.set(frame.prompt_id, resolve));
    this.send(frame);
    return recorded;
  }

  /** Retries while the server is unreachable (restarting) for up to `SERVER_DOWN_MS`; then throws. */
  private async request(path: string, init: RequestInit = {}, retry = true): Promise<Response> {
    const deadline = Date.now() + SERVER_DOWN_MS;
    let response: Response;
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      try {
        response = await fetch(`${this.server}${path}`, {
          ...init,
          headers: { ...this.headers, ...(init.headers as Record<string, string> | undefined) },
        });
        break;
      } catch (err) {
        if (!retry || this.closed || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    if (response.status === 401) throw new WrongSecretError(this.server);
    if (!response.ok)
      throw new Error(
        `${init.method ?? 'GET'} ${path}: the server answered ${response.status}: ${await response.text()}`,
      );
    return response;
  }

  /** Throws WrongSecretError when the server refuses the secret, or says why it cannot be reached. */
  async checkSecret(): Promise<void> {
    try {
      const query = new URLSearchParams({ folder: 'embeddings', under: '' });
      await this.request(`${WORKER_MANIFEST_PATH}?${query}`, {}, false);
    } catch (err) {
      if (err instanceof WrongSecretError) throw err;
      const reason =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new Error(
        `cannot reach the studio server at ${this.server} (${reason}); check --server and that it runs with --queue`,
      );
    }
  }

  async manifest(folder: WorkerFolder, under = ''): Promise<ManifestEntry[]> {
    const query = new URLSearchParams({ folder, under });
    return manifestSchema.parse(await (await this.request(`${WORKER_MANIFEST_PATH}?${query}`)).json());
  }

  async download(folder: WorkerFolder, rel: string): Promise<Buffer> {
    const response = await this.request(`${WORKER_FILES_PATH}/${folder}/${encodePath(rel)}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /**
   * Stores `data` at `rel` on the server; with `create`, a taken name is not replaced but the server picks
   * the next free one. Returns the file name the server used.
   */
  async upload(folder: WorkerFolder, rel: string, data: Uint8Array, create: boolean): Promise<string> {
    const query = create ? '?create=1' : '';
    const response = await this.request(`${WORKER_FILES_PATH}/${folder}/${encodePath(rel)}${query}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(data),
    });
    return uploadAnswerSchema.parse(await response.json()).name;
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }
}

function encodePath(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}
