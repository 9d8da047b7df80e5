/**
 * Reads a workflow from a dropped or opened file: a UI workflow JSON, or a PNG written by SaveImage (its
 * `workflow` tEXt chunk). Errors say what the file is and what would work instead.
 */
import { z } from 'zod';
import { uiWorkflowSchema, type UiWorkflow } from '../api/wire';
import { isPng, readPngTextChunks } from '../../../protocol/pngTextChunks';

const apiPromptLike = z.record(
  z.string(),
  z.looseObject({ class_type: z.string(), inputs: z.record(z.string(), z.unknown()) }),
);

/** Validates parsed JSON as a UI workflow; `source` names it in errors. */
export function parseWorkflowJson(json: unknown, source: string): UiWorkflow {
  const parsed = uiWorkflowSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  if (
    apiPromptLike.safeParse(json).success &&
    json &&
    typeof json === 'object' &&
    Object.keys(json).length > 0
  ) {
    throw new Error(
      `${source} is an API-format prompt (node id → class_type/inputs), which has no canvas layout; ` +
        'open the UI workflow it came from, or queue it with POST /api/prompt',
    );
  }
  throw new Error(`${source} is not a UI workflow: ${z.prettifyError(parsed.error)}`);
}

/** Reads a workflow from a file's bytes (PNG or JSON). */
export function workflowFromBytes(name: string, bytes: Uint8Array): UiWorkflow {
  if (isPng(bytes)) {
    const texts = readPngTextChunks(bytes);
    const text = texts.workflow;
    if (!text) {
      throw new Error(
        `${name} has no "workflow" text chunk` +
          (texts.prompt ? ' (only an API-format "prompt")' : '') +
          '; only PNGs saved by SaveImage carry their workflow',
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`the "workflow" chunk of ${name} is not valid JSON`);
    }
    return parseWorkflowJson(json, `the "workflow" chunk of ${name}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error(`${name} is neither a PNG nor JSON; drop a workflow .json or a PNG saved by SaveImage`);
  }
  return parseWorkflowJson(json, name);
}

/** Reads a workflow from a browser File. */
export async function workflowFromFile(file: File): Promise<UiWorkflow> {
  return workflowFromBytes(file.name, new Uint8Array(await file.arrayBuffer()));
}
