/**
 * Reads a workflow from a dropped or opened file: a UI workflow JSON, an API-format prompt (laid out on
 * the canvas when the node definitions are at hand), or a PNG written by SaveImage (its `workflow` tEXt
 * chunk, else its `prompt`). Errors say what the file is and what would work instead.
 */
import { z } from 'zod';
import { uiWorkflowSchema, type ApiNode, type ObjectInfo, type UiWorkflow } from '../api/wire';
import { isPng, readPngTextChunks } from '../../../protocol/pngTextChunks';
import { promptToWorkflow } from '../../../protocol/promptToWorkflow';

const apiPromptLike = z.record(
  z.string(),
  z.looseObject({ class_type: z.string(), inputs: z.record(z.string(), z.unknown()) }),
);

/**
 * Validates parsed JSON as a UI workflow; `source` names it in errors. With `objectInfo`, an API-format
 * prompt becomes a workflow with its nodes laid out left to right.
 */
export function parseWorkflowJson(json: unknown, source: string, objectInfo?: ObjectInfo): UiWorkflow {
  const parsed = uiWorkflowSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const prompt = apiPromptLike.safeParse(json);
  if (prompt.success && Object.keys(prompt.data).length > 0) {
    if (objectInfo) {
      const { workflow, warnings } = promptToWorkflow(prompt.data as Record<string, ApiNode>, objectInfo);
      for (const w of warnings) console.warn(`${source}: ${w}`);
      return workflow;
    }
    throw new Error(
      `${source} is an API-format prompt (node id → class_type/inputs), which has no canvas layout; ` +
        'open the UI workflow it came from, or queue it with POST /api/prompt',
    );
  }
  throw new Error(`${source} is not a UI workflow: ${z.prettifyError(parsed.error)}`);
}

/** Reads a workflow from a file's bytes (PNG or JSON); `objectInfo` lets API-format prompts in. */
export function workflowFromBytes(name: string, bytes: Uint8Array, objectInfo?: ObjectInfo): UiWorkflow {
  if (isPng(bytes)) {
    const texts = readPngTextChunks(bytes);
    const text = texts.workflow ?? (objectInfo ? texts.prompt : undefined);
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
      throw new Error(`the text chunk of ${name} is not valid JSON`);
    }
    const chunk = texts.workflow ? 'workflow' : 'prompt';
    return parseWorkflowJson(json, `the "${chunk}" chunk of ${name}`, objectInfo);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error(`${name} is neither a PNG nor JSON; drop a workflow .json or a PNG saved by SaveImage`);
  }
  return parseWorkflowJson(json, name, objectInfo);
}

/** Reads a workflow from a browser File. */
export async function workflowFromFile(file: File, objectInfo?: ObjectInfo): Promise<UiWorkflow> {
  return workflowFromBytes(file.name, new Uint8Array(await file.arrayBuffer()), objectInfo);
}

/** Downloads `workflow` as `<title>.json`. */
export function downloadWorkflow(workflow: UiWorkflow, title: string): void {
  const blob = new Blob([JSON.stringify(workflow, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${title}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
