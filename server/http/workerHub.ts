/**
 * The server end of the worker channel (`/worker/ws`, queue mode): authenticated worker sockets, the list
 * `/system_stats` shows, their frames handed to RemoteRuns one at a time per socket (so a prompt's
 * events, outcome and end keep their order), and interrupts sent to the worker that runs the prompt.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RemoteRuns } from '../engine/remoteRuns';
import {
  type ServerFrame,
  WORKER_WS_PATH,
  type WorkerFrame,
  workerFrameSchema,
  type WorkerInfo,
  workerInfoSchema,
} from '../../protocol/workerMessages';
import { bearerMatches } from './workerSecret';

/** A worker frame carries at most one preview or one outcome; uploads go over HTTP. */
const WORKER_MAX_PAYLOAD = 16 * 1024 * 1024;

export interface ConnectedWorker extends WorkerInfo {
  connected_since: number;
  /** The prompt it runs now, or null. */
  running: string | null;
}

export class WorkerHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WORKER_MAX_PAYLOAD });
  private readonly sockets = new Map<string, { ws: WebSocket; info: WorkerInfo; since: number }>();

  constructor(
    private readonly secret: string,
    private readonly runs: RemoteRuns,
    private readonly logError: (err: unknown) => void,
  ) {}

  /** Takes the upgrade when it is for `/worker/ws`; returns false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WORKER_WS_PATH) return false;
    if (!bearerMatches(req, this.secret)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return true;
    }
    const info = workerInfoSchema.safeParse(Object.fromEntries(url.searchParams));
    if (!info.success) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connect(ws, info.data));
    return true;
  }

  private connect(ws: WebSocket, info: WorkerInfo): void {
    this.sockets.get(info.name)?.ws.terminate();
    this.sockets.set(info.name, { ws, info, since: Date.now() });
    let chain = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        json = undefined;
      }
      const parsed = workerFrameSchema.safeParse(json);
      if (!parsed.success) {
        this.logError(new Error(`worker ${info.name} sent a malformed frame: ${parsed.error.message}`));
        return;
      }
      chain = chain.then(() => this.handle(ws, info.name, parsed.data)).catch(this.logError);
    });
    ws.on('close', () => {
      if (this.sockets.get(info.name)?.ws !== ws) return;
      this.sockets.delete(info.name);
      this.runs.workerGone(info.name);
    });
    ws.on('error', () => ws.terminate());
  }

  private async handle(ws: WebSocket, worker: string, frame: WorkerFrame): Promise<void> {
    switch (frame.kind) {
      case 'start':
        this.runs.started(worker, frame.task);
        return;
      case 'event':
        this.runs.event(frame.prompt_id, frame.type, frame.data);
        return;
      case 'preview':
        this.runs.preview(
          frame.prompt_id,
          { format: frame.format, data: Buffer.from(frame.data, 'base64') },
          frame.node !== undefined && frame.step !== undefined
            ? { node: frame.node, step: frame.step }
            : undefined,
        );
        return;
      case 'finished':
        await this.runs.finished(worker, frame.prompt_id, frame);
        this.send(ws, { kind: 'recorded', prompt_id: frame.prompt_id });
        return;
    }
  }

  private send(ws: WebSocket, frame: ServerFrame): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  /** Sends an interrupt to the worker(s) running `promptId` (every running prompt when undefined). */
  interrupt(promptId?: string): boolean {
    let sent = false;
    for (const [id, worker] of this.runs.running()) {
      if (promptId !== undefined && id !== promptId) continue;
      const socket = this.sockets.get(worker);
      if (!socket) continue;
      this.send(socket.ws, { kind: 'interrupt', prompt_id: id });
      sent = true;
    }
    return sent;
  }

  list(): ConnectedWorker[] {
    const runningBy = new Map([...this.runs.running()].map(([id, worker]) => [worker, id]));
    return [...this.sockets.values()].map(({ info, since }) => ({
      ...info,
      connected_since: since,
      running: runningBy.get(info.name) ?? null,
    }));
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
