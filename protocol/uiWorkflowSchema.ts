/**
 * The UI workflow (litegraph serialisation, version 0.4, as ComfyUI writes it). Loose objects: the canvas
 * keeps fields we never read, and they must survive a save/load round trip. Browser-safe (zod only).
 */
import { z } from 'zod';

const nodeId = z.union([z.number(), z.string()]);

export const uiNodeInputSchema = z.looseObject({
  name: z.string(),
  type: z.union([z.string(), z.number()]),
  link: z.number().nullable().optional(),
  widget: z.looseObject({ name: z.string() }).optional(),
});
export type UiNodeInput = z.infer<typeof uiNodeInputSchema>;

export const uiNodeOutputSchema = z.looseObject({
  name: z.string(),
  type: z.union([z.string(), z.number()]),
  links: z.array(z.number()).nullable().optional(),
  slot_index: z.number().optional(),
});

export const uiNodeSchema = z.looseObject({
  id: nodeId,
  type: z.string(),
  pos: z.unknown().optional(),
  size: z.unknown().optional(),
  flags: z.record(z.string(), z.unknown()).optional(),
  order: z.number().optional(),
  /** 0 always, 2 never (muted), 4 bypass. */
  mode: z.number().optional(),
  title: z.string().optional(),
  inputs: z.array(uiNodeInputSchema).optional(),
  outputs: z.array(uiNodeOutputSchema).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  widgets_values: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
});
export type UiNode = z.infer<typeof uiNodeSchema>;

/** `[id, origin_id, origin_slot, target_id, target_slot, type]`. */
export const uiLinkTupleSchema = z.tuple([
  z.number(),
  nodeId,
  z.number(),
  nodeId,
  z.number(),
  z.union([z.string(), z.number()]),
]);
/** The object form newer litegraph versions write. */
export const uiLinkObjectSchema = z.looseObject({
  id: z.number(),
  origin_id: nodeId,
  origin_slot: z.number(),
  target_id: nodeId,
  target_slot: z.number(),
  type: z.union([z.string(), z.number()]),
});
export const uiLinkSchema = z.union([uiLinkTupleSchema, uiLinkObjectSchema]);
export type UiLink = z.infer<typeof uiLinkSchema>;

export const uiWorkflowSchema = z.looseObject({
  last_node_id: z.number().optional(),
  last_link_id: z.number().optional(),
  nodes: z.array(uiNodeSchema),
  links: z.array(uiLinkSchema),
  groups: z.array(z.unknown()).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
  version: z.number(),
});
export type UiWorkflow = z.infer<typeof uiWorkflowSchema>;
