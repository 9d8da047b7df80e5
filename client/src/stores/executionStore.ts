/**
 * What the running (and last) prompt is doing, per node: running node, progress, outputs, previews and
 * errors. Fed by WebSocket events and by `POST /prompt` rejections; read by the canvas overlays and panels.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ConnectionState } from '../api/studioSocket';
import { useNodeSeriesStore } from './nodeSeriesStore';
import { usePreviewStripStore } from './previewStripStore';
import type { NodeErrors, NodeUiOutput, WsEvent, WsEventData } from '../api/wire';

/** An error shown on a node: validation problems before the run, or the exception that stopped it. */
export interface NodeErrorView {
  kind: 'validation' | 'execution';
  messages: string[];
}

export interface NodeProgress {
  value: number;
  max: number;
}

/** UI output keys holding images (kept while a node reruns). */
const IMAGE_OUTPUT_KEYS = new Set(['images', 'animated']);

export const useExecutionStore = defineStore('execution', () => {
  const connection = ref<ConnectionState>('connecting');
  const queueRemaining = ref(0);
  const activePromptId = ref<string | null>(null);
  /** The node running now, whichever workflow tab queued its prompt. */
  const runningNode = ref<string | null>(null);
  let promptOnCanvas: (promptId: string) => boolean = () => true;
  /** The node running now, when its prompt belongs to the graph on the canvas (null otherwise). */
  const runningNodeId = computed(() =>
    activePromptId.value !== null && promptOnCanvas(activePromptId.value) ? runningNode.value : null,
  );
  const progress = ref<Record<string, NodeProgress>>({});
  /** A prompt runs whose nodes are not on the canvas (another workflow tab queued it). */
  const runningOffCanvas = computed(
    () => activePromptId.value !== null && !promptOnCanvas(activePromptId.value),
  );
  const outputs = ref<Record<string, NodeUiOutput>>({});
  const outputVersion = ref<Record<string, number>>({});
  const previews = ref<Record<string, string>>({});
  const errors = ref<Record<string, NodeErrorView>>({});
  const cachedNodes = ref<string[]>([]);
  const lastError = ref<WsEventData<'execution_error'> | null>(null);
  /** Bumped on every change the canvas must redraw for. */
  const revision = ref(0);

  const isRunning = computed(() => activePromptId.value !== null);

  /** Blob URLs of previews are owned (and revoked) by the preview strip store. */
  function setPreview(nodeId: string, url: string | undefined): void {
    const next = { ...previews.value };
    if (url) next[nodeId] = url;
    else delete next[nodeId];
    previews.value = next;
  }

  /**
   * A node running again keeps its last images until new ones arrive, but not its text (`loss: … (last
   * of N)`), which would contradict the live chart of the new run.
   */
  function dropStaleText(nodeId: string): void {
    const old = outputs.value[nodeId];
    if (!old) return;
    const images = Object.fromEntries(Object.entries(old).filter(([key]) => IMAGE_OUTPUT_KEYS.has(key)));
    const next = { ...outputs.value };
    if (Object.keys(images).length) next[nodeId] = images;
    else delete next[nodeId];
    outputs.value = next;
  }

  function finishPrompt(promptId: string): void {
    if (activePromptId.value !== promptId) return;
    activePromptId.value = null;
    runningNode.value = null;
    progress.value = {};
  }

  /**
   * Tells the store which prompts belong to the graph on the canvas (the workflow tab in front queued
   * them); the others run unseen (their node ids mean other nodes here).
   */
  function setCanvasFilter(filter: (promptId: string) => boolean): void {
    promptOnCanvas = filter;
  }

  /**
   * Applies one known WebSocket event; `onCanvas` false (its prompt came from a workflow tab not in front)
   * keeps only the queue's state: which prompt runs, not what its nodes show.
   */
  function applyEvent(event: WsEvent, onCanvas = true): void {
    revision.value++;
    switch (event.type) {
      case 'status':
        queueRemaining.value = event.data.status.exec_info.queue_remaining;
        return;
      case 'execution_start':
        activePromptId.value = event.data.prompt_id;
        runningNode.value = null;
        progress.value = {};
        if (!onCanvas) return;
        cachedNodes.value = [];
        lastError.value = null;
        errors.value = Object.fromEntries(
          Object.entries(errors.value).filter(([, e]) => e.kind === 'validation'),
        );
        return;
      case 'execution_cached':
        cachedNodes.value = event.data.nodes;
        return;
      case 'executing': {
        const { node, prompt_id } = event.data;
        if (node === null) {
          finishPrompt(prompt_id);
          return;
        }
        activePromptId.value = prompt_id;
        runningNode.value = node;
        if (onCanvas) dropStaleText(node);
        return;
      }
      case 'progress':
        if (!onCanvas) return;
        progress.value = {
          ...progress.value,
          [event.data.node]: { value: event.data.value, max: event.data.max },
        };
        return;
      case 'executed': {
        if (!onCanvas) return;
        const nodeId = event.data.display_node || event.data.node;
        outputs.value = { ...outputs.value, [nodeId]: event.data.output };
        outputVersion.value = { ...outputVersion.value, [nodeId]: (outputVersion.value[nodeId] ?? 0) + 1 };
        // a node that produced images shows them; one that did not (a trainer, a sampler) keeps its last preview
        if (Array.isArray(event.data.output.images) && event.data.output.images.length)
          setPreview(nodeId, undefined);
        return;
      }
      case 'execution_success':
        finishPrompt(event.data.prompt_id);
        return;
      case 'execution_error':
        if (!onCanvas) {
          finishPrompt(event.data.prompt_id);
          return;
        }
        lastError.value = event.data;
        errors.value = {
          ...errors.value,
          [event.data.node_id]: {
            kind: 'execution',
            messages: [`${event.data.exception_type}: ${event.data.exception_message}`],
          },
        };
        finishPrompt(event.data.prompt_id);
        return;
      case 'execution_interrupted':
        finishPrompt(event.data.prompt_id);
        return;
      case 'ti_loss':
        return;
    }
  }

  /** Shows a preview image (a binary frame) on the node that is running now. */
  function applyPreviewBlob(blob: Blob): void {
    const nodeId = runningNodeId.value;
    if (!nodeId) return;
    const url = URL.createObjectURL(blob);
    usePreviewStripStore().add(nodeId, url, progress.value[nodeId]?.value);
    setPreview(nodeId, url);
    revision.value++;
  }

  /** Shows an image a custom event sent (e.g. the trainer's periodic sample) on its node. */
  function showImageOnNode(nodeId: string, url: string): void {
    setPreview(nodeId, url);
    revision.value++;
  }

  /** Shows the outputs of a finished prompt (from history) on the canvas nodes with those ids. */
  function showOutputs(byNode: Record<string, NodeUiOutput>): void {
    outputs.value = { ...byNode };
    const series = useNodeSeriesStore();
    for (const [id, output] of Object.entries(byNode)) series.fillFromOutput(id, output);
    revision.value++;
  }

  /** Marks the nodes a rejected prompt named; any earlier errors are replaced. */
  function setValidationErrors(nodeErrors: NodeErrors): void {
    errors.value = Object.fromEntries(
      Object.entries(nodeErrors).map(([id, e]) => [
        id,
        {
          kind: 'validation' as const,
          messages: e.errors.map((v) => (v.details ? `${v.message}: ${v.details}` : v.message)),
        },
      ]),
    );
    revision.value++;
  }

  /** Forgets the error of one node (it was edited since). */
  function clearNodeError(nodeId: string): void {
    if (!errors.value[nodeId]) return;
    const next = { ...errors.value };
    delete next[nodeId];
    errors.value = next;
    revision.value++;
  }

  function clearErrors(): void {
    errors.value = {};
    lastError.value = null;
    revision.value++;
  }

  /** Forgets what the canvas shows for nodes (a different workflow was opened). */
  function clearNodeState(): void {
    outputs.value = {};
    progress.value = {};
    useNodeSeriesStore().clearAll();
    previews.value = {};
    usePreviewStripStore().clearAll();
    clearErrors();
  }

  return {
    connection,
    queueRemaining,
    activePromptId,
    runningNodeId,
    runningOffCanvas,
    progress,
    outputs,
    outputVersion,
    previews,
    errors,
    cachedNodes,
    lastError,
    revision,
    isRunning,
    applyEvent,
    applyPreviewBlob,
    showImageOnNode,
    showOutputs,
    setValidationErrors,
    clearErrors,
    clearNodeError,
    clearNodeState,
    setCanvasFilter,
  };
});
