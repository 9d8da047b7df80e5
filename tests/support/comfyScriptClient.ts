/**
 * A client that makes the same calls as ComfyUI's three `script_examples` (basic_api_example,
 * websockets_api_example, websockets_api_example_ws_images), written for these tests: queue with
 * urllib's default form content type, follow `executing` on `/ws`, read `/history` and `/view`, and
 * collect the binary frames sent while `SaveImageWebsocket` runs.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export type ApiPrompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** The txt2img prompt the examples send; `output` is their last node (SaveImage or SaveImageWebsocket). */
export function examplePrompt(ckptName: string, output: 'SaveImage' | 'SaveImageWebsocket'): ApiPrompt {
  const prompt: ApiPrompt = {
    '3': {
      class_type: 'KSampler',
      inputs: {
        cfg: 8,
        denoise: 1,
        latent_image: ['5', 0],
        model: ['4', 0],
        negative: ['7', 0],
        positive: ['6', 0],
        sampler_name: 'euler',
        scheduler: 'normal',
        seed: 8566257,
        steps: 20,
      },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckptName } },
    '5': { class_type: 'EmptyLatentImage', inputs: { batch_size: 1, height: 512, width: 512 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { clip: ['4', 1], text: 'masterpiece best quality girl' } },
    '7': { class_type: 'CLIPTextEncode', inputs: { clip: ['4', 1], text: 'bad hands' } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  };
  if (output === 'SaveImage')
    prompt['9'] = { class_type: 'SaveImage', inputs: { filename_prefix: 'ccniyUI', images: ['8', 0] } };
  else prompt.save_image_websocket_node = { class_type: 'SaveImageWebsocket', inputs: { images: ['8', 0] } };
  // the examples then edit the positive text and the seed
  prompt['6']!.inputs.text = 'masterpiece best quality man';
  prompt['3']!.inputs.seed = 5;
  return prompt;
}

export class ComfyScriptClient {
  readonly clientId = randomUUID();
  private socket: WebSocket | undefined;
  private readonly inbox: (string | Buffer)[] = [];
  private wake: (() => void) | undefined;

  /** `address` is `host:port`, as the examples' `server_address`. */
  constructor(readonly address: string) {}

  /** POST /prompt (or /api/prompt) as urllib does: a JSON body with the form content type. */
  async queuePrompt(
    prompt: ApiPrompt,
    route = '/prompt',
    withClientId = true,
  ): Promise<{ prompt_id: string }> {
    const body = JSON.stringify(withClientId ? { prompt, client_id: this.clientId } : { prompt });
    const response = await fetch(`http://${this.address}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    if (response.status !== 200)
      throw new Error(`POST ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { prompt_id: string };
  }

  async connect(): Promise<void> {
    const socket = new WebSocket(`ws://${this.address}/ws?clientId=${this.clientId}`);
    socket.on('message', (data, isBinary) => {
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      this.inbox.push(isBinary ? buffer : buffer.toString('utf8'));
      this.wake?.();
    });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    this.socket = socket;
  }

  /** The next frame: a string for text, a Buffer for binary (the examples' `ws.recv()`). */
  async recv(timeoutMs = 120_000): Promise<string | Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      if (Date.now() > deadline) throw new Error('no WebSocket frame in time');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 200);
      });
    }
    return this.inbox.shift()!;
  }

  async getHistory(
    promptId: string,
  ): Promise<
    Record<
      string,
      { outputs: Record<string, { images?: { filename: string; subfolder: string; type: string }[] }> }
    >
  > {
    return (await (await fetch(`http://${this.address}/history/${promptId}`)).json()) as never;
  }

  async getImage(filename: string, subfolder: string, type: string): Promise<Buffer> {
    const query = new URLSearchParams({ filename, subfolder, type });
    const response = await fetch(`http://${this.address}/view?${query}`);
    if (response.status !== 200) throw new Error(`GET /view: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** websockets_api_example: wait for the end on the socket, then fetch the images via /history and /view. */
  async imagesViaHistory(prompt: ApiPrompt): Promise<Record<string, Buffer[]>> {
    const { prompt_id: promptId } = await this.queuePrompt(prompt);
    for (;;) {
      const out = await this.recv();
      if (typeof out !== 'string') continue;
      const message = JSON.parse(out) as { type: string; data: { node?: string | null; prompt_id?: string } };
      if (message.type === 'executing' && message.data.node === null && message.data.prompt_id === promptId)
        break;
    }
    const history = (await this.getHistory(promptId))[promptId]!;
    const images: Record<string, Buffer[]> = {};
    for (const [nodeId, output] of Object.entries(history.outputs)) {
      if (!output.images) continue;
      images[nodeId] = [];
      for (const image of output.images)
        images[nodeId].push(await this.getImage(image.filename, image.subfolder, image.type));
    }
    return images;
  }

  /** websockets_api_example_ws_images: binary frames while `save_image_websocket_node` runs, minus 8 bytes. */
  async imagesViaWebsocket(
    prompt: ApiPrompt,
  ): Promise<{ images: Record<string, Buffer[]>; headers: Buffer[] }> {
    const { prompt_id: promptId } = await this.queuePrompt(prompt, '/api/prompt');
    const images: Record<string, Buffer[]> = {};
    const headers: Buffer[] = [];
    let currentNode = '';
    for (;;) {
      const out = await this.recv();
      if (typeof out === 'string') {
        const message = JSON.parse(out) as {
          type: string;
          data: { node?: string | null; prompt_id?: string };
        };
        if (message.type === 'executing' && message.data.prompt_id === promptId) {
          if (message.data.node === null) break;
          currentNode = message.data.node ?? '';
        }
      } else if (currentNode === 'save_image_websocket_node') {
        (images[currentNode] ??= []).push(out.subarray(8));
        headers.push(out.subarray(0, 8));
      }
    }
    return { images, headers };
  }

  close(): void {
    this.socket?.close();
  }
}
