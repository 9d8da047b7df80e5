/**
 * The scores a finished prompt produced, for its history entry (they are otherwise only on the nodes of the
 * run's canvas): CLIP-I / CLIP-T of each CLIP Score node and the world oracle's rate of images where every
 * asked part holds, one row per scored image batch, labelled with the prompt it was sampled with.
 */
import { z } from 'zod';
import type { HistoryEntry } from '../api/wire';

export interface PromptScores {
  /** The first scoring node of the row. */
  node: string;
  /** The prompt the scored images were sampled with (CLIP Score's `prompt` input), else the node title. */
  label: string;
  clipI?: number;
  clipT?: number;
  /** Share of images in which every part the oracle was asked about holds (0–1). */
  oracle?: number;
}

const promptNodeSchema = z.looseObject({
  inputs: z.record(z.string(), z.unknown()).optional(),
  _meta: z.looseObject({ title: z.string().optional() }).optional(),
});

const firstNumber = (values: unknown[] | undefined) =>
  typeof values?.[0] === 'number' ? values[0] : undefined;

/** The score rows of `entry`, in node id order; nodes that scored the same images share a row. */
export function historyScores(entry: HistoryEntry): PromptScores[] {
  const rows = new Map<string, PromptScores & { prompted: boolean }>();
  const ids = Object.keys(entry.outputs).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  for (const id of ids) {
    const output = entry.outputs[id]!;
    const scores = {
      clipI: firstNumber(output.clip_i),
      clipT: firstNumber(output.clip_t),
      oracle: firstNumber(output.all_rate),
    };
    if (Object.values(scores).every((s) => s === undefined)) continue;
    const spec = promptNodeSchema.safeParse(entry.prompt[2][id]);
    const inputs = spec.success ? (spec.data.inputs ?? {}) : {};
    // an image input is a link [node, slot]: the scorers of one batch name the same one
    const key = Array.isArray(inputs.images) ? JSON.stringify(inputs.images) : `node ${id}`;
    const prompt = typeof inputs.prompt === 'string' ? inputs.prompt.trim() || undefined : undefined;
    const title = spec.success ? spec.data._meta?.title : undefined;
    const row = rows.get(key) ?? { node: id, label: title ?? `#${id}`, prompted: false };
    if (prompt && !row.prompted) Object.assign(row, { label: prompt, prompted: true });
    if (scores.clipI !== undefined) row.clipI = scores.clipI;
    if (scores.clipT !== undefined) row.clipT = scores.clipT;
    if (scores.oracle !== undefined) row.oracle = scores.oracle;
    rows.set(key, row);
  }
  return [...rows.values()].map(({ prompted: _prompted, ...row }) => row);
}
