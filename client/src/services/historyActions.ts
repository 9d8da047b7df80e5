/**
 * What a person does with a finished prompt of the history: reopen its workflow in a new tab (with its
 * outputs shown on the nodes), and resume a training run of it from its last checkpoint.
 */
import { toRaw } from 'vue';
import { z } from 'zod';
import { useExecutionStore } from '../stores/executionStore';
import type { HistoryItem } from '../stores/queueStore';
import { useToastStore } from '../stores/toastStore';
import { useWorkflowStore } from '../stores/workflowStore';
import { resumeRun } from './runActions';
import { parseWorkflowJson } from './workflowFiles';

const extraDataSchema = z.looseObject({ extra_pnginfo: z.looseObject({ workflow: z.unknown() }).optional() });

/** Opens the workflow prompt `item` was queued from in a new tab. False (with a toast) when it has none. */
export function reopenHistoryEntry(item: HistoryItem): boolean {
  // the entry lives in a reactive store: hand the canvas plain data, not Vue proxies
  const entry = toRaw(item.entry);
  const extra = extraDataSchema.safeParse(entry.prompt[3]);
  const wf = extra.success ? extra.data.extra_pnginfo?.workflow : undefined;
  if (!wf) {
    useToastStore().show(
      'error',
      `Prompt #${item.number} has no workflow`,
      'it was queued through the API without extra_pnginfo.workflow',
    );
    return false;
  }
  try {
    const workflow = parseWorkflowJson(wf, `prompt #${item.number}`);
    useWorkflowStore().openInTab(workflow, {
      name: null,
      label: `prompt #${item.number}`,
      modified: true,
      promptId: item.promptId,
    });
    useExecutionStore().showOutputs(entry.outputs);
    return true;
  } catch (err) {
    useToastStore().error(`Could not open prompt #${item.number}`, err);
    return false;
  }
}

/**
 * Resumes the training run of trainer `nodeId` in history entry `item`: its workflow opens in a new tab
 * with `resume` turned on, so the next queue continues from the run's last checkpoint.
 */
export function resumeHistoryRun(item: HistoryItem, nodeId: string): boolean {
  return reopenHistoryEntry(item) && resumeRun(nodeId);
}
