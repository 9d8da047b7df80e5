/**
 * The live connection to `/ws?clientId=…`: reconnects with backoff and hands every decoded frame to one
 * listener. The client id is kept per browser tab, so a reload keeps receiving its prompts' events.
 */
import { parseSocketFrame, type SocketFrame } from './socketFrames';

export type ConnectionState = 'connecting' | 'open' | 'closed';

const CLIENT_ID_KEY = 'inversion-studio.clientId';

/** This tab's client id (sessionStorage), created once. */
export function tabClientId(): string {
  const existing = sessionStorage.getItem(CLIENT_ID_KEY);
  if (existing) return existing;
  const id = crypto.randomUUID().replaceAll('-', '');
  sessionStorage.setItem(CLIENT_ID_KEY, id);
  return id;
}

/** A self-reconnecting WebSocket that decodes frames with {@link parseSocketFrame}. */
export class StudioSocket {
  #socket: WebSocket | undefined;
  #retryMs = 500;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    readonly clientId: string,
    private readonly onFrame: (frame: SocketFrame) => void,
    private readonly onState: (state: ConnectionState) => void,
  ) {}

  connect(): void {
    this.#closed = false;
    this.onState('connecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(
      `${scheme}://${location.host}/ws?clientId=${encodeURIComponent(this.clientId)}`,
    );
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      this.#retryMs = 500;
      this.onState('open');
    });
    socket.addEventListener('message', (e: MessageEvent<string | ArrayBuffer>) => {
      const frame = parseSocketFrame(e.data);
      if (frame.kind === 'invalid') console.warn(`ignored WebSocket frame: ${frame.reason}`);
      else this.onFrame(frame);
    });
    socket.addEventListener('close', () => {
      this.onState('closed');
      if (this.#closed) return;
      this.#timer = setTimeout(() => this.connect(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, 8000);
    });
    this.#socket = socket;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#socket?.close();
  }
}
