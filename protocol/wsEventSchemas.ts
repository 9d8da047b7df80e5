/**
 * WebSocket frames (`{type, data}`) of ComfyUI's protocol, plus the binary preview frame layout.
 * Browser-safe: imports nothing but zod. Re-exported by wireSchemas.ts.
 */
import { z } from 'zod';

const record = z.record(z.string(), z.unknown());

/** Every JSON frame: clients first parse this, then the `data` schema for the `type` they know. */
export const wsFrameSchema = z.object({ type: z.string(), data: record });
export type WsFrame = z.infer<typeof wsFrameSchema>;

export const wsEventDataSchemas = {
  status: z.object({
    status: z.object({ exec_info: z.object({ queue_remaining: z.number() }) }),
    sid: z.string().optional(),
  }),
  execution_start: z.object({ prompt_id: z.string(), timestamp: z.number() }),
  execution_cached: z.object({ prompt_id: z.string(), nodes: z.array(z.string()), timestamp: z.number() }),
  executing: z.object({
    node: z.string().nullable(),
    display_node: z.string().nullable().optional(),
    prompt_id: z.string(),
  }),
  progress: z.object({ node: z.string(), prompt_id: z.string(), value: z.number(), max: z.number() }),
  executed: z.object({
    node: z.string(),
    display_node: z.string(),
    prompt_id: z.string(),
    output: z.record(z.string(), z.array(z.unknown())),
  }),
  execution_success: z.object({ prompt_id: z.string(), timestamp: z.number() }),
  execution_error: z.object({
    prompt_id: z.string(),
    node_id: z.string(),
    node_type: z.string(),
    executed: z.array(z.string()),
    exception_message: z.string(),
    exception_type: z.string(),
    traceback: z.array(z.string()),
    current_inputs: record,
    current_outputs: z.array(z.string()),
    timestamp: z.number().optional(),
  }),
  execution_interrupted: z.object({
    prompt_id: z.string(),
    node_id: z.string().nullable(),
    node_type: z.string().nullable(),
    executed: z.array(z.string()),
    timestamp: z.number().optional(),
  }),
  /** Our own: one training step's loss, emitted by training nodes through `ctx.emit('ti_loss', …)`. */
  ti_loss: z.looseObject({ prompt_id: z.string(), node: z.string() }),
} as const;

export type WsEventType = keyof typeof wsEventDataSchemas;
export type WsEventData<T extends WsEventType> = z.infer<(typeof wsEventDataSchemas)[T]>;

/** A typed frame for a known event type. */
export type WsEvent = { [T in WsEventType]: { type: T; data: WsEventData<T> } }[WsEventType];

/** Binary frame header: 4-byte big-endian event type, then (for previews) a 4-byte image format. */
export const BinaryEventType = { PREVIEW_IMAGE: 1 } as const;
export const PreviewImageFormat = { JPEG: 1, PNG: 2 } as const;
