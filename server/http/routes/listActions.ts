/** The `{clear, delete}` body that POST /queue and POST /history share (ComfyUI's list actions). */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { sendError } from '../httpErrors';

const listActionSchema = z.looseObject({
  clear: z.boolean().optional(),
  delete: z.array(z.string()).optional(),
});

/** Clear the whole list and/or delete the given prompt ids. */
export type ListAction = z.infer<typeof listActionSchema>;

/** The request's list action, or undefined after answering 400 with the body it expects. */
export function parseListAction(
  req: Request,
  res: Response,
  list: 'queue' | 'history',
): ListAction | undefined {
  const parsed = listActionSchema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  sendError(
    res,
    400,
    'invalid_request',
    `Invalid ${list} action`,
    'send {"clear": true} or {"delete": [prompt_id, ...]}',
  );
  return undefined;
}
