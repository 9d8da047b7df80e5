/**
 * Parses one WebSocket frame from the server: a JSON `{type, data}` event (typed when the type is one we
 * know, passed through when it is not) or a binary preview image. Pure, so it is unit-tested.
 */
import { z } from 'zod';
import {
  BinaryEventType,
  PreviewImageFormat,
  wsEventDataSchemas,
  wsFrameSchema,
  type WsEvent,
  type WsEventType,
} from './wire';

export type SocketFrame =
  | { kind: 'event'; event: WsEvent }
  /** A type this client has no schema for (e.g. a node's own event): consumers look it up in their tables. */
  | { kind: 'custom'; type: string; data: Record<string, unknown> }
  | { kind: 'preview'; mime: 'image/jpeg' | 'image/png'; bytes: Uint8Array }
  | { kind: 'invalid'; reason: string };

function isKnownType(type: string): type is WsEventType {
  return Object.hasOwn(wsEventDataSchemas, type);
}

/** Decodes a text or binary frame. Never throws: a bad frame becomes `{kind: 'invalid', reason}`. */
export function parseSocketFrame(raw: string | ArrayBuffer): SocketFrame {
  if (typeof raw !== 'string') {
    if (raw.byteLength < 8)
      return {
        kind: 'invalid',
        reason: `binary frame of ${raw.byteLength} bytes is shorter than its 8-byte header`,
      };
    const view = new DataView(raw);
    const eventType = view.getUint32(0);
    if (eventType !== BinaryEventType.PREVIEW_IMAGE)
      return { kind: 'invalid', reason: `unknown binary event type ${eventType}` };
    const format = view.getUint32(4);
    const mime =
      format === PreviewImageFormat.PNG
        ? 'image/png'
        : format === PreviewImageFormat.JPEG
          ? 'image/jpeg'
          : undefined;
    if (!mime)
      return {
        kind: 'invalid',
        reason: `unknown preview image format ${format}; expected 1 (JPEG) or 2 (PNG)`,
      };
    return { kind: 'preview', mime, bytes: new Uint8Array(raw, 8) };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { kind: 'invalid', reason: `frame is not JSON: ${raw.slice(0, 80)}` };
  }
  const frame = wsFrameSchema.safeParse(json);
  if (!frame.success)
    return { kind: 'invalid', reason: `frame is not {type, data}: ${z.prettifyError(frame.error)}` };
  const { type, data } = frame.data;
  if (!isKnownType(type)) return { kind: 'custom', type, data };
  const parsed = wsEventDataSchemas[type].safeParse(data);
  if (!parsed.success)
    return { kind: 'invalid', reason: `bad "${type}" event: ${z.prettifyError(parsed.error)}` };
  // The schema for `type` produced `parsed.data`, so the pair is a valid WsEvent.
  return { kind: 'event', event: { type, data: parsed.data } as WsEvent };
}
