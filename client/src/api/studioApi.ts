/**
 * HTTP client for the studio server (ComfyUI's routes under /api, plus the workflow library). Every
 * JSON answer is parsed with the shared zod schemas, so a server/client mismatch fails here, loudly.
 */
import { z } from 'zod';
import {
  historySchema,
  objectInfoSchema,
  promptAcceptedSchema,
  promptRejectedSchema,
  queueStateSchema,
  uploadResultSchema,
  workflowListSchema,
  type FileRef,
  type ApiPrompt,
  type HistoryEntry,
  type ObjectInfo,
  type PromptAccepted,
  type PromptRejected,
  type QueueState,
  type UploadResult,
  type WorkflowListItem,
} from './wire';

/** A non-2xx answer, with the server's message when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly route: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function readError(res: Response, route: string): Promise<ApiError> {
  let detail = res.statusText;
  try {
    const body: unknown = await res.json();
    const parsed = z
      .looseObject({ error: z.union([z.string(), z.looseObject({ message: z.string() })]) })
      .safeParse(body);
    if (parsed.success)
      detail = typeof parsed.data.error === 'string' ? parsed.data.error : parsed.data.error.message;
  } catch {
    // not JSON: keep the status text
  }
  return new ApiError(res.status, route, `${route}: ${res.status} ${detail}`);
}

async function getJson<T>(route: string, schema: z.ZodType<T>, init?: RequestInit): Promise<T> {
  const res = await fetch(route, init);
  if (!res.ok) throw await readError(res, route);
  const parsed = schema.safeParse(await res.json());
  if (!parsed.success) throw new Error(`unexpected answer from ${route}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const jsonInit = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

export type QueuePromptResult =
  { ok: true; accepted: PromptAccepted } | { ok: false; rejected: PromptRejected };

/** URL of a file a node wrote or an input image, through `/view`. */
export function viewUrl(file: FileRef, cacheBust?: string | number): string {
  const q = new URLSearchParams({ filename: file.filename, subfolder: file.subfolder, type: file.type });
  if (cacheBust !== undefined) q.set('v', String(cacheBust));
  return `/api/view?${q.toString()}`;
}

/** Thin typed wrappers around the server routes. */
export const studioApi = {
  objectInfo: (): Promise<ObjectInfo> => getJson('/api/object_info', objectInfoSchema),

  async queuePrompt(body: {
    prompt: ApiPrompt;
    client_id: string;
    prompt_id?: string;
    front?: boolean;
    extra_data?: Record<string, unknown>;
  }): Promise<QueuePromptResult> {
    const res = await fetch('/api/prompt', jsonInit('POST', body));
    if (res.status === 400) {
      const parsed = promptRejectedSchema.safeParse(await res.json());
      if (parsed.success) return { ok: false, rejected: parsed.data };
      throw new ApiError(
        400,
        '/api/prompt',
        `/api/prompt rejected the prompt: ${z.prettifyError(parsed.error)}`,
      );
    }
    if (!res.ok) throw await readError(res, '/api/prompt');
    return { ok: true, accepted: promptAcceptedSchema.parse(await res.json()) };
  },

  async interrupt(promptId?: string): Promise<void> {
    const res = await fetch('/api/interrupt', jsonInit('POST', promptId ? { prompt_id: promptId } : {}));
    if (!res.ok) throw await readError(res, '/api/interrupt');
  },

  queue: (): Promise<QueueState> => getJson('/api/queue', queueStateSchema),

  async editQueue(body: { clear: true } | { delete: string[] }): Promise<void> {
    const res = await fetch('/api/queue', jsonInit('POST', body));
    if (!res.ok) throw await readError(res, '/api/queue');
  },

  history: (maxItems = 64): Promise<Record<string, HistoryEntry>> =>
    getJson(`/api/history?max_items=${maxItems}`, historySchema),

  async editHistory(body: { clear: true } | { delete: string[] }): Promise<void> {
    const res = await fetch('/api/history', jsonInit('POST', body));
    if (!res.ok) throw await readError(res, '/api/history');
  },

  /** Files of model folder `folder` (paths relative to it). */
  modelFiles: (folder: string): Promise<string[]> =>
    getJson(`/api/models/${encodeURIComponent(folder)}`, z.array(z.string())),

  /** The `__metadata__` of a safetensors file in a model folder (ComfyUI's `/view_metadata`). */
  modelMetadata: (folder: string, filename: string): Promise<Record<string, string>> =>
    getJson(
      `/api/view_metadata/${encodeURIComponent(folder)}?filename=${encodeURIComponent(filename)}`,
      z.record(z.string(), z.string()),
    ),

  listWorkflows: (): Promise<WorkflowListItem[]> => getJson('/api/workflows', workflowListSchema),

  getWorkflow: (name: string): Promise<unknown> =>
    getJson(`/api/workflows/${encodeURIComponent(name)}`, z.unknown()),

  async saveWorkflow(name: string, workflow: unknown): Promise<void> {
    const res = await fetch(`/api/workflows/${encodeURIComponent(name)}`, jsonInit('PUT', workflow));
    if (!res.ok) throw await readError(res, `PUT /api/workflows/${name}`);
  },

  async deleteWorkflow(name: string): Promise<void> {
    const res = await fetch(`/api/workflows/${encodeURIComponent(name)}`, { method: 'DELETE' });
    if (!res.ok) throw await readError(res, `DELETE /api/workflows/${name}`);
  },

  async uploadImage(
    file: File,
    options: { overwrite?: boolean; subfolder?: string } = {},
  ): Promise<UploadResult> {
    const form = new FormData();
    form.append('image', file, file.name);
    form.append('type', 'input');
    if (options.subfolder) form.append('subfolder', options.subfolder);
    if (options.overwrite) form.append('overwrite', 'true');
    return getJson('/api/upload/image', uploadResultSchema, { method: 'POST', body: form });
  },
};
