/**
 * The channel between the studio server and its workers in queue mode (`--queue redis://…`): the job a
 * worker takes from Redis, the frames it sends over `/worker/ws` (start, events, previews, the outcome)
 * and the frames the server sends back (interrupt, recorded). Both sides parse with these schemas.
 */
import { z } from 'zod';
import { queueTaskSchema } from './wireSchemas';

/** HTTP and WebSocket routes of the worker channel; every request carries `Authorization: Bearer <secret>`. */
export const WORKER_WS_PATH = '/worker/ws';
export const WORKER_FILES_PATH = '/worker/files';
export const WORKER_MANIFEST_PATH = '/worker/manifest';

/** Folders a worker mirrors from the server (`fetch`) or sends back (`upload`). */
export const workerFolderSchema = z.enum(['input', 'output', 'temp', 'embeddings']);
export type WorkerFolder = z.infer<typeof workerFolderSchema>;

/** What a worker says about itself when it connects (query string of `/worker/ws`). */
export const workerInfoSchema = z.object({
  name: z.string().min(1).max(100),
  device: z.string().max(200),
  execution_provider: z.enum(['cpu', 'cuda']),
});
export type WorkerInfo = z.infer<typeof workerInfoSchema>;

/** The job's data in Redis: a queue task, as `/queue` lists it. */
export const promptJobSchema = z.object({ task: queueTaskSchema });
export type PromptJob = z.infer<typeof promptJobSchema>;

const messageSchema = z.tuple([z.string(), z.record(z.string(), z.unknown())]);

export const workerFrameSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), task: queueTaskSchema }),
  z.object({
    kind: z.literal('event'),
    prompt_id: z.string(),
    type: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
  z.object({
    kind: z.literal('preview'),
    prompt_id: z.string(),
    format: z.enum(['PNG', 'JPEG']),
    data: z.base64(),
    /** The node that sent it and its progress value then (the server keeps the preview for the history). */
    node: z.string().optional(),
    step: z.number().optional(),
  }),
  z.object({
    kind: z.literal('finished'),
    prompt_id: z.string(),
    status: z.enum(['success', 'error', 'interrupted']),
    outputs: z.record(z.string(), z.record(z.string(), z.array(z.unknown()))),
    messages: z.array(messageSchema),
    meta: z.record(z.string(), z.record(z.string(), z.unknown())),
  }),
]);
export type WorkerFrame = z.infer<typeof workerFrameSchema>;

export const serverFrameSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('interrupt'), prompt_id: z.string() }),
  /** The outcome is in history: the worker may complete the job. */
  z.object({ kind: z.literal('recorded'), prompt_id: z.string() }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

/** One file of a mirrored folder (`GET /worker/manifest?folder=input`). */
export const manifestEntrySchema = z.object({ path: z.string(), size: z.number(), mtime: z.number() });
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
export const manifestSchema = z.array(manifestEntrySchema);

/** The BullMQ queue of prompts in Redis. */
export const PROMPT_QUEUE_NAME = 'inversion-studio-prompts';

/** BullMQ job id of a prompt (BullMQ refuses integer-like custom ids; prompt ids may be any string). */
export function jobIdFor(promptId: string): string {
  return `prompt-${promptId}`;
}
