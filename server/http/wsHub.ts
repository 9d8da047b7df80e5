/**
 * The `/ws` endpoint: one socket set per client id. Prompt events go to the client that queued the
 * prompt (everyone when it gave no client id); `status` goes to everyone. Binary preview frames carry a
 * 4-byte big-endian event type and a 4-byte image format before the image bytes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { PreviewImage } from '../engine/nodeDefinition';
import type { EventRouter } from '../engine/promptWorker';
import { BinaryEventType, PreviewImageFormat } from '../../protocol/wsEventSchemas';

export interface WsHubOptions {
  queueRemaining(): number;
  /** The node running now for this client's prompt, to re-send on reconnect. */
  currentExecution(): { promptId: string; node: string | null; clientId?: string } | null;
  /** Upgrade filter (origin check); false answers 403. */
  allowUpgrade(req: IncomingMessage): boolean;
  /** Other upgrade endpoints on the same server (the worker channel); true when one took the request. */
  otherUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

const WS_PATHS = new Set(['/ws', '/api/ws']);
/** Clients send nothing large (ComfyUI's send small JSON, if anything); bigger frames close with 1009. */
export const WS_MAX_PAYLOAD = 1024 * 1024;

export class WsHub implements EventRouter {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  private readonly clients = new Map<string, Set<WebSocket>>();

  constructor(private readonly options: WsHubOptions) {}

  /** Handles upgrades on `/ws` and `/api/ws` of this HTTP server. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!WS_PATHS.has(url.pathname) && this.options.otherUpgrade?.(req, socket, head)) return;
      if (!WS_PATHS.has(url.pathname)) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      if (!this.options.allowUpgrade(req)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      const clientId = url.searchParams.get('clientId') || randomUUID().replaceAll('-', '');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.connect(ws, clientId));
    });
  }

  private connect(ws: WebSocket, clientId: string): void {
    const set = this.clients.get(clientId) ?? new Set<WebSocket>();
    set.add(ws);
    this.clients.set(clientId, set);
    ws.on('close', () => {
      set.delete(ws);
      if (set.size === 0) this.clients.delete(clientId);
    });
    ws.on('error', () => ws.terminate());
    this.sendTo(ws, JSON.stringify({ type: 'status', data: { status: this.statusData(), sid: clientId } }));
    const current = this.options.currentExecution();
    if (current && current.node && current.clientId === clientId) {
      const data = { node: current.node, display_node: current.node, prompt_id: current.promptId };
      this.sendTo(ws, JSON.stringify({ type: 'executing', data }));
    }
  }

  private statusData(): { exec_info: { queue_remaining: number } } {
    return { exec_info: { queue_remaining: this.options.queueRemaining() } };
  }

  private sendTo(ws: WebSocket, frame: string | Buffer): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(frame);
  }

  private targets(clientId?: string): Iterable<WebSocket> {
    if (clientId === undefined) return [...this.clients.values()].flatMap((set) => [...set]);
    return this.clients.get(clientId) ?? [];
  }

  send(type: string, data: Record<string, unknown>, clientId?: string): void {
    const frame = JSON.stringify({ type, data });
    for (const ws of this.targets(clientId)) this.sendTo(ws, frame);
  }

  sendPreview(image: PreviewImage, clientId?: string): void {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(BinaryEventType.PREVIEW_IMAGE, 0);
    header.writeUInt32BE(image.format === 'PNG' ? PreviewImageFormat.PNG : PreviewImageFormat.JPEG, 4);
    const frame = Buffer.concat([header, image.data]);
    for (const ws of this.targets(clientId)) this.sendTo(ws, frame);
  }

  /** `status` to every client (after each queue change). */
  broadcastStatus(): void {
    this.send('status', { status: this.statusData() });
  }

  /** Number of open sockets (all clients). */
  get connectionCount(): number {
    return [...this.clients.values()].reduce((n, set) => n + set.size, 0);
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
