/**
 * What the training dashboard shows of one run, gathered from where it lives: the live loss chart and
 * preview strip of a canvas node, or the history entry of a finished (or interrupted) training prompt
 * (its `loss` list, `checkpoints` files, kept previews, and the scores and checkpoint curve of the same
 * prompt).
 */
import { z } from 'zod';
import { viewUrl } from '../api/studioApi';
import { fileRefSchema, type FileRef, type HistoryEntry, type NodeUiOutput } from '../api/wire';
import { graphHost } from '../canvas/graphHost';
import type { DashboardTarget } from '../stores/dashboardStore';
import { TRAINER_TYPE } from '../stores/dashboardStore';
import { useExecutionStore } from '../stores/executionStore';
import { useNodeSeriesStore } from '../stores/nodeSeriesStore';
import { usePreviewStripStore, type StripPreview } from '../stores/previewStripStore';
import { useQueueStore, type HistoryItem } from '../stores/queueStore';
import { historyScores, type PromptScores } from './historyScores';

/** The scores of one saved step of a checkpoint curve (the curve node's `curve` UI output). */
export interface CurveScores {
  step: number;
  clip_i: number;
  clip_t: number;
  oracle?: number;
}

const curveScoresSchema = z.object({
  step: z.number(),
  clip_i: z.number(),
  clip_t: z.number(),
  oracle: z.number().optional(),
});

/** The checkpoint curve of a prompt: the first node whose output lists a `curve` (by node id). */
export function historyCurve(entry: HistoryEntry): CurveScores[] {
  const ids = Object.keys(entry.outputs).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  for (const id of ids) {
    const curve = entry.outputs[id]?.curve;
    if (!curve) continue;
    const parsed = z.array(curveScoresSchema).safeParse(curve);
    if (parsed.success) return parsed.data;
  }
  return [];
}

/** A per-step embedding file a run saved. */
export interface RunCheckpoint {
  step: number;
  file: FileRef;
}

export interface TrainingRunView {
  title: string;
  /** The trained token (the trainer's `token` input). */
  token: string | undefined;
  running: boolean;
  /** Steps of the charted losses and the losses (NaN where a step reported none). */
  steps: number[];
  losses: number[];
  previews: readonly StripPreview[];
  checkpoints: RunCheckpoint[];
  scores: PromptScores[];
  /** CLIP-I / CLIP-T (and oracle) of every saved step, when the prompt also ran a checkpoint curve. */
  curve: CurveScores[];
  /** The history entry the run's files and scores come from, if it finished. */
  item: HistoryItem | undefined;
}

const checkpointSchema = fileRefSchema.extend({ step: z.number().int().nonnegative() });
const trainerNodeSchema = z.looseObject({
  class_type: z.string(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  _meta: z.looseObject({ title: z.string().optional() }).optional(),
});

/** The trainer node `nodeId` of a prompt, when it is one. */
function trainerNode(entry: HistoryEntry, nodeId: string) {
  const node = trainerNodeSchema.safeParse(entry.prompt[2][nodeId]);
  return node.success && node.data.class_type === TRAINER_TYPE ? node.data : undefined;
}

/** The checkpoint files listed in a trainer's UI output, by step. */
export function runCheckpoints(output: NodeUiOutput | undefined): RunCheckpoint[] {
  return (output?.checkpoints ?? [])
    .flatMap((c) => {
      const parsed = checkpointSchema.safeParse(c);
      if (!parsed.success) return [];
      const { step, ...file } = parsed.data;
      return [{ step, file }];
    })
    .sort((a, b) => a.step - b.step);
}

/** The previews the server kept of node `nodeId` in a history entry, as the strip shows them. */
export function historyPreviews(entry: HistoryEntry, nodeId: string): StripPreview[] {
  return (entry.previews?.[nodeId] ?? []).map((p) => ({ url: viewUrl(p), step: p.step }));
}

const numbers = (values: unknown[] | undefined) =>
  (values ?? []).map((v) => (typeof v === 'number' ? v : Number.NaN));

/**
 * The live strip of a canvas run while it has previews; else those the server kept in the history entry
 * (a run opened from the history, or the canvas run after a reload).
 */
function runPreviews(
  live: readonly StripPreview[] | undefined,
  item: HistoryItem | undefined,
  nodeId: string,
): readonly StripPreview[] {
  if (live?.length) return live;
  return item ? historyPreviews(item.entry, nodeId) : [];
}

/** The run `target` names, or undefined when neither the canvas nor the history has it. */
export function trainingRunView(target: DashboardTarget): TrainingRunView | undefined {
  const queue = useQueueStore();
  const exec = useExecutionStore();
  const { nodeId, promptId } = target;
  // a canvas node's run: the newest history entry that trained with this node
  const item = promptId
    ? queue.history.find((h) => h.promptId === promptId)
    : queue.history.find((h) => trainerNode(h.entry, nodeId));
  const fromHistory = item ? trainerNode(item.entry, nodeId) : undefined;
  const canvasNode = promptId ? undefined : graphHost.nodeById(nodeId);
  if (!fromHistory && canvasNode?.type !== TRAINER_TYPE) return undefined;
  const running = !promptId && exec.runningNodeId === nodeId;
  const series = promptId ? undefined : useNodeSeriesStore().byNode.get(nodeId);
  const output = item?.entry.outputs[nodeId];
  const liveOutput = promptId ? undefined : exec.outputs[nodeId];
  const losses = series ? [...(series.ys.loss ?? [])] : numbers((liveOutput ?? output)?.loss);
  const steps = series ? [...series.xs] : losses.map((_, i) => i + 1);
  const tokenWidget = canvasNode?.widgets?.find((w) => w.name === 'token')?.value;
  const token = typeof tokenWidget === 'string' ? tokenWidget : fromHistory?.inputs?.token;
  // while the node runs again, the last entry's files and scores belong to the previous run
  const finished = !running && !(exec.activePromptId && !promptId && exec.progress[nodeId]);
  return {
    title: canvasNode?.title ?? fromHistory?._meta?.title ?? `Trainer #${nodeId}`,
    token: typeof token === 'string' ? token : undefined,
    running,
    steps,
    losses,
    previews: runPreviews(
      promptId ? undefined : usePreviewStripStore().byNode.get(nodeId),
      finished ? item : undefined,
      nodeId,
    ),
    checkpoints: finished ? runCheckpoints(liveOutput ?? output) : [],
    scores: finished && item ? historyScores(item.entry) : [],
    curve: finished && item ? historyCurve(item.entry) : [],
    item: finished ? item : undefined,
  };
}
