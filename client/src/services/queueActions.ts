/**
 * Queue and interrupt: the canvas graph becomes an API prompt through the server's own converter
 * (protocol/workflowToPrompt.ts, using `input_order`), is posted with the workflow for the PNG
 * metadata, and validation errors land on the nodes they name.
 */
import { studioApi } from '../api/studioApi';
import { tabClientId } from '../api/studioSocket';
import { workflowToPrompt, type MutedInput } from '../../../protocol/workflowToPrompt';
import type { NodeErrors } from '../api/wire';
import { graphHost } from '../canvas/graphHost';
import { latentSizeProblems } from './latentSizeCheck';
import { useExecutionStore } from '../stores/executionStore';
import { useNodeDefStore } from '../stores/nodeDefStore';
import { useQueueStore } from '../stores/queueStore';
import { useToastStore } from '../stores/toastStore';
import { useWorkflowStore } from '../stores/workflowStore';
import { useUndoStore } from '../stores/undoStore';
import { isControlMode, nextControlledValue } from '../widgets/controlAfterGenerate';
import { controlledWidgets } from '../widgets/widgetFactory';

/**
 * Steps every seed-like widget by its control_after_generate mode (a prompt was just serialised for the
 * queue); returns what puts the old values back (the server rejected the prompt).
 */
export function applyControlAfterGenerate(): () => void {
  const stepped: { widget: ReturnType<typeof controlledWidgets>[number]['target']; old: number }[] = [];
  for (const node of graphHost.graph.nodes) {
    for (const { target, control } of controlledWidgets(node)) {
      if (!isControlMode(control.value) || typeof target.value !== 'number') continue;
      const { min, max, step2 } = target.options;
      stepped.push({ widget: target, old: target.value });
      target.value = nextControlledValue(control.value, target.value, { min, max, step: step2 });
    }
  }
  graphHost.canvas.setDirty(true, false);
  return () => {
    for (const { widget, old } of stepped) widget.value = old;
    graphHost.canvas.setDirty(true, false);
  };
}

/**
 * Adds to each error about an input that a muted node fed which node that is, since the canvas still
 * shows the link the prompt left out.
 */
export function nameMutedSources(nodeErrors: NodeErrors, muted: readonly MutedInput[]): NodeErrors {
  const named: NodeErrors = {};
  for (const [id, nodeError] of Object.entries(nodeErrors)) {
    const errors = nodeError.errors.map((e) => {
      const source = muted.find((m) => m.nodeId === id && m.input === e.extra_info.input_name);
      if (!source) return e;
      const why =
        `input "${source.input}" comes from ${source.muted.title} (#${source.muted.id}), which is muted; ` +
        'unmute it (select it, Ctrl+M) or bypass it (Ctrl+B)';
      return { ...e, details: e.details ? `${e.details}; ${why}` : why };
    });
    named[id] = { ...nodeError, errors };
  }
  return named;
}

/** A fresh prompt id (crypto.randomUUID needs a secure context; a page on a LAN address is not one). */
function newPromptId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Queues the canvas graph; returns the prompt id, or undefined when the server rejected it. */
export async function queueCurrentGraph(options: { front?: boolean } = {}): Promise<string | undefined> {
  const toasts = useToastStore();
  const exec = useExecutionStore();
  const sizes = latentSizeProblems(graphHost.graph);
  if (Object.keys(sizes).length) {
    exec.setValidationErrors(sizes);
    const [[id, first]] = Object.entries(sizes) as [[string, NodeErrors[string]]];
    const title = graphHost.nodeById(id)?.title ?? first.class_type;
    toasts.show('error', 'Prompt not queued', `${title} (#${id}): ${first.errors[0]!.details}`);
    graphHost.redraw();
    return undefined;
  }
  const workflow = graphHost.serialize();
  const { prompt, warnings, mutedInputs } = workflowToPrompt(workflow, useNodeDefStore().objectInfo);
  for (const w of warnings) console.warn(`workflow → prompt: ${w}`);
  // before posting: a fast prompt can fail over the WebSocket before the POST answer arrives
  exec.clearErrors();
  const workflows = useWorkflowStore();
  const promptId = newPromptId();
  workflows.noteQueued(promptId);
  const queuedFrom = workflows.activeId;
  // step the seeds now, on the graph that was serialised: another tab may be in front when the answer comes
  const unstep = applyControlAfterGenerate();
  try {
    const result = await studioApi.queuePrompt({
      prompt,
      prompt_id: promptId,
      client_id: tabClientId(),
      front: options.front,
      extra_data: { extra_pnginfo: { workflow } },
    });
    if (!result.ok) {
      if (workflows.activeId === queuedFrom) unstep();
      const { error } = result.rejected;
      const node_errors = nameMutedSources(result.rejected.node_errors, mutedInputs);
      exec.setValidationErrors(node_errors);
      const count = Object.keys(node_errors).length;
      toasts.show(
        'error',
        'Prompt rejected',
        count
          ? `${error.message}: ${count} node${count > 1 ? 's have' : ' has'} errors (outlined in red)`
          : `${error.message}${error.details ? `: ${error.details}` : ''}`,
      );
      graphHost.redraw();
      return undefined;
    }
    workflows.noteAccepted(promptId);
    if (workflows.activeId === queuedFrom) useUndoStore().check();
    useQueueStore().scheduleRefresh(0);
    return result.accepted.prompt_id;
  } catch (err) {
    if (workflows.activeId === queuedFrom) unstep();
    toasts.error('Could not queue the prompt', err);
    return undefined;
  }
}

/** Stops the running prompt. */
export async function interruptRunning(): Promise<void> {
  try {
    await studioApi.interrupt();
    useToastStore().show('info', 'Interrupt requested');
  } catch (err) {
    useToastStore().error('Could not interrupt', err);
  }
}
