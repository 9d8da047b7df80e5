/**
 * The wire vocabulary shared by the server and the Vue client: zod schemas for every JSON body, node
 * definition, queue/history entry, WebSocket frame and UI workflow that crosses the HTTP boundary.
 * Browser-safe on purpose: this module imports nothing but zod.
 */
import { z } from 'zod';

/** `[source node id, output index]`: a link in the API prompt format. */
export const promptLinkSchema = z.tuple([z.string(), z.number().int().nonnegative()]);
export type PromptLink = z.infer<typeof promptLinkSchema>;

/** One node of an API-format prompt. Inputs stay `unknown` here: the engine validates them. */
export const apiNodeSchema = z.looseObject({
  class_type: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  _meta: z.looseObject({ title: z.string().optional() }).optional(),
});
export type ApiNode = z.infer<typeof apiNodeSchema>;

/** An API-format prompt: node id → node. Kept loose so validation can report every bad node. */
export const apiPromptSchema = z.record(z.string(), z.unknown());
export type ApiPrompt = Record<string, ApiNode>;

/** Body of `POST /prompt`. */
export const promptRequestSchema = z.looseObject({
  prompt: apiPromptSchema,
  client_id: z.string().optional(),
  prompt_id: z.string().min(1).max(128).optional(),
  number: z.number().optional(),
  front: z.boolean().optional(),
  extra_data: z.record(z.string(), z.unknown()).optional(),
  partial_execution_targets: z.array(z.string()).optional(),
});
export type PromptRequest = z.infer<typeof promptRequestSchema>;

/** A structured validation or request error (`{type, message, details, extra_info}`). */
export const validationErrorSchema = z.object({
  type: z.string(),
  message: z.string(),
  details: z.string(),
  extra_info: z.record(z.string(), z.unknown()),
});
export type ValidationError = z.infer<typeof validationErrorSchema>;

export const nodeErrorSchema = z.object({
  errors: z.array(validationErrorSchema),
  dependent_outputs: z.array(z.string()),
  class_type: z.string(),
});
export type NodeError = z.infer<typeof nodeErrorSchema>;
export const nodeErrorsSchema = z.record(z.string(), nodeErrorSchema);
export type NodeErrors = z.infer<typeof nodeErrorsSchema>;

/** 200 answer of `POST /prompt`. */
export const promptAcceptedSchema = z.object({
  prompt_id: z.string(),
  number: z.number(),
  node_errors: nodeErrorsSchema,
});
export type PromptAccepted = z.infer<typeof promptAcceptedSchema>;

/** 400 answer of `POST /prompt`. */
export const promptRejectedSchema = z.object({
  error: validationErrorSchema,
  node_errors: nodeErrorsSchema,
});
export type PromptRejected = z.infer<typeof promptRejectedSchema>;

/** Options of one input as `/object_info` reports them. */
export const inputOptionsWireSchema = z.looseObject({
  default: z.unknown().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().optional(),
  round: z.union([z.number(), z.literal(false)]).optional(),
  multiline: z.boolean().optional(),
  tooltip: z.string().optional(),
  image_upload: z.boolean().optional(),
  control_after_generate: z.boolean().optional(),
  forceInput: z.boolean().optional(),
});
export type InputOptionsWire = z.infer<typeof inputOptionsWireSchema>;

/** `[TYPE, options?]` or, for a combo, `[[choices], options?]`. */
export const inputSpecWireSchema = z.tuple([
  z.union([z.string(), z.array(z.string())]),
  inputOptionsWireSchema.optional(),
]);
export type InputSpecWire = z.infer<typeof inputSpecWireSchema>;

/** One entry of `/object_info`. */
export const nodeDefWireSchema = z.looseObject({
  input: z.object({
    required: z.record(z.string(), inputSpecWireSchema).optional(),
    optional: z.record(z.string(), inputSpecWireSchema).optional(),
    hidden: z.record(z.string(), z.string()).optional(),
  }),
  input_order: z.object({
    required: z.array(z.string()),
    optional: z.array(z.string()),
  }),
  output: z.array(z.string()),
  output_is_list: z.array(z.boolean()),
  output_name: z.array(z.string()),
  name: z.string(),
  display_name: z.string(),
  description: z.string(),
  python_module: z.string(),
  category: z.string(),
  output_node: z.boolean(),
});
export type NodeDefWire = z.infer<typeof nodeDefWireSchema>;
export const objectInfoSchema = z.record(z.string(), nodeDefWireSchema);
export type ObjectInfo = z.infer<typeof objectInfoSchema>;

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]`. */
export const queueTaskSchema = z.tuple([
  z.number(),
  z.string(),
  z.record(z.string(), z.unknown()),
  z.record(z.string(), z.unknown()),
  z.array(z.string()),
]);
export type QueueTaskWire = z.infer<typeof queueTaskSchema>;

export const queueStateSchema = z.object({
  queue_running: z.array(queueTaskSchema),
  queue_pending: z.array(queueTaskSchema),
});
export type QueueState = z.infer<typeof queueStateSchema>;

/** `{filename, subfolder, type}` of a file a node wrote. */
export const fileRefSchema = z.object({
  filename: z.string(),
  subfolder: z.string(),
  type: z.enum(['output', 'input', 'temp']),
});
export type FileRef = z.infer<typeof fileRefSchema>;

/**
 * A preview image a node sent while it ran (the trainer's sample every N steps), kept by the server in
 * temp/ and listed in the prompt's history entry under `previews` (our own field; ComfyUI has none).
 */
export const storedPreviewSchema = fileRefSchema.extend({
  /** The node's progress value when it sent the preview (the training step). */
  step: z.number(),
});
export type StoredPreview = z.infer<typeof storedPreviewSchema>;

/** A node's UI output (`images`, or whatever keys the node returns). */
export const nodeUiOutputSchema = z.record(z.string(), z.array(z.unknown()));
export type NodeUiOutput = z.infer<typeof nodeUiOutputSchema>;

export const historyStatusSchema = z.object({
  status_str: z.enum(['success', 'error']),
  completed: z.boolean(),
  messages: z.array(z.tuple([z.string(), z.record(z.string(), z.unknown())])),
});
export type HistoryStatus = z.infer<typeof historyStatusSchema>;

/** One worker's run of a prompt (queue mode). `lost`: the worker went away mid-prompt. */
export const promptAttemptSchema = z.object({
  worker: z.string(),
  status: z.enum(['running', 'success', 'error', 'interrupted', 'lost']),
  started: z.number(),
  ended: z.number().optional(),
});
export type PromptAttempt = z.infer<typeof promptAttemptSchema>;

export const historyEntrySchema = z.object({
  prompt: queueTaskSchema,
  outputs: z.record(z.string(), nodeUiOutputSchema),
  status: historyStatusSchema,
  meta: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  /** Preview images each node sent while the prompt ran, oldest first (a bounded, evenly thinned set). */
  previews: z.record(z.string(), z.array(storedPreviewSchema)).optional(),
  /** Queue mode (`--queue redis://…`): the worker that ran the prompt last. */
  worker: z.string().optional(),
  /** Queue mode: every worker that started the prompt, in order (a retry after a lost worker adds one). */
  attempts: z.array(promptAttemptSchema).optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export const historySchema = z.record(z.string(), historyEntrySchema);

/** Answer of `POST /upload/image`. */
export const uploadResultSchema = z.object({
  name: z.string(),
  subfolder: z.string(),
  type: z.enum(['input', 'temp', 'output']),
});
export type UploadResult = z.infer<typeof uploadResultSchema>;

/** One row of `GET /api/workflows`. */
export const workflowListItemSchema = z.object({
  name: z.string(),
  source: z.enum(['user', 'shipped']),
  readOnly: z.boolean(),
  modified: z.number(),
  size: z.number(),
});
export type WorkflowListItem = z.infer<typeof workflowListItemSchema>;
export const workflowListSchema = z.array(workflowListItemSchema);

export * from './wsEventSchemas';
export * from './uiWorkflowSchema';
