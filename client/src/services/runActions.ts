/**
 * The training dashboard's actions on a run's files: sample a saved step (the shipped
 * sample-with-embedding workflow, loading that step's embedding and prompting with the run's token) and
 * resume the run from its last checkpoint.
 */
import type { LGraphNode } from '@comfyorg/litegraph';
import { studioApi } from '../api/studioApi';
import type { UiWorkflow } from '../api/wire';
import { graphHost } from '../canvas/graphHost';
import { TRAINER_TYPE } from '../stores/dashboardStore';
import { useToastStore } from '../stores/toastStore';
import { useUndoStore } from '../stores/undoStore';
import { useWorkflowStore } from '../stores/workflowStore';
import type { RunCheckpoint } from './trainingRunView';
import { parseWorkflowJson } from './workflowFiles';

/** The library workflow a checkpoint is sampled with. */
export const SAMPLE_WORKFLOW = 'sample-with-embedding';
/** ComfyUI's annotation of a combo value that names a file in output/ (nodes/training/loadEmbedding.ts). */
const OUTPUT_SUFFIX = ' [output]';

/** The LoadEmbedding value of a checkpoint file. */
export function embeddingChoice(checkpoint: RunCheckpoint): string {
  const { subfolder, filename } = checkpoint.file;
  return `${subfolder ? `${subfolder}/` : ''}${filename}${OUTPUT_SUFFIX}`;
}

/** `workflow` loading `embedding` and prompting with `token` in place of its example token (`<…>`). */
export function sampleWorkflowFor(
  workflow: UiWorkflow,
  embedding: string,
  token: string | undefined,
): UiWorkflow {
  const nodes = workflow.nodes.map((node) => {
    if (node.type === 'LoadEmbedding') return { ...node, widgets_values: [embedding] };
    const values = Array.isArray(node.widgets_values) ? node.widgets_values : [];
    const [text, ...rest] = values;
    if (node.type === 'CLIPTextEncode' && token && typeof text === 'string' && /<[^<>\s]+>/.test(text))
      return { ...node, widgets_values: [text.replace(/<[^<>\s]+>/g, token), ...rest] };
    return node;
  });
  if (!nodes.some((n) => n.type === 'LoadEmbedding'))
    throw new Error(`${SAMPLE_WORKFLOW} has no LoadEmbedding node to load the checkpoint with`);
  return { ...workflow, nodes };
}

/** Opens the sample workflow for `checkpoint` in a new workflow tab. */
export async function sampleCheckpoint(
  checkpoint: RunCheckpoint,
  token: string | undefined,
): Promise<boolean> {
  try {
    const shipped = parseWorkflowJson(await studioApi.getWorkflow(SAMPLE_WORKFLOW), SAMPLE_WORKFLOW);
    const workflow = sampleWorkflowFor(shipped, embeddingChoice(checkpoint), token);
    useWorkflowStore().openInTab(workflow, {
      name: null,
      label: `sample of step ${checkpoint.step}`,
      modified: true,
    });
    return true;
  } catch (err) {
    useToastStore().error(`Could not open a sample of step ${checkpoint.step}`, err);
    return false;
  }
}

/** The trainer node `nodeId` on the canvas, if it is one. */
export function canvasTrainer(nodeId: string): LGraphNode | undefined {
  const node = graphHost.nodeById(nodeId);
  return node?.type === TRAINER_TYPE ? node : undefined;
}

/** Turns on `resume` of the canvas trainer `nodeId`, so the next queue continues from its checkpoint. */
export function resumeRun(nodeId: string): boolean {
  const resume = canvasTrainer(nodeId)?.widgets?.find((w) => w.name === 'resume');
  if (!resume) return false;
  resume.value = true;
  graphHost.redraw();
  useUndoStore().check();
  useToastStore().show(
    'info',
    'Resume is on',
    'Raise steps if needed, then queue: training continues from the last checkpoint.',
  );
  return true;
}
