/**
 * Routes everything the WebSocket delivers: ComfyUI events to the execution store, chart and image events
 * of nodes (nodeEventTables.ts) to their node, preview frames to the running node, and queue changes to
 * the side panel. Also grows nodes that just received an image or a chart. A prompt queued from a workflow
 * tab that is not in front only updates the queue: its node ids mean other nodes on this canvas.
 */
import { StudioSocket, tabClientId } from '../api/studioSocket';
import { viewUrl } from '../api/studioApi';
import type { SocketFrame } from '../api/socketFrames';
import type { WsEvent } from '../api/wire';
import { graphHost } from '../canvas/graphHost';
import { StudioNode } from '../canvas/studioNode';
import { ensureFreeSpace, outputImages, outputTextLines } from '../canvas/nodeOverlays';
import { useExecutionStore } from '../stores/executionStore';
import { useNodeSeriesStore } from '../stores/nodeSeriesStore';
import { usePreviewStripStore } from '../stores/previewStripStore';
import { useQueueStore } from '../stores/queueStore';
import { useToastStore } from '../stores/toastStore';
import { useWorkflowStore } from '../stores/workflowStore';
import { IMAGE_EVENTS, imagesFromEvent } from './nodeEventTables';

const IMAGE_SPACE = 240;
const CHART_SPACE = 150;

function makeRoom(nodeId: string, needed: number): void {
  const node = graphHost.nodeById(nodeId);
  if (node instanceof StudioNode) node.requestRoom(needed);
  else if (node) ensureFreeSpace(node, needed);
}

/** Node-specific events, known to the wire schemas or not: charts and images from the tables. */
function applyNodeEvent(type: string, data: Record<string, unknown>): void {
  const chartNode = useNodeSeriesStore().addEvent(type, data);
  if (chartNode) makeRoom(chartNode, CHART_SPACE);
  if (IMAGE_EVENTS.has(type)) {
    const found = imagesFromEvent(data);
    if (found) {
      useExecutionStore().showImageOnNode(
        found.nodeId,
        viewUrl(found.images[found.images.length - 1]!, Date.now()),
      );
      makeRoom(found.nodeId, IMAGE_SPACE + CHART_SPACE);
    }
  }
}

/** Whether an event's prompt belongs to the graph on the canvas (one without a prompt id does). */
function onCanvas(data: Record<string, unknown>): boolean {
  return typeof data.prompt_id !== 'string' || useWorkflowStore().promptOnCanvas(data.prompt_id);
}

function applyEvent(event: WsEvent): void {
  const canvas = onCanvas(event.data);
  useExecutionStore().applyEvent(event, canvas);
  const queue = useQueueStore();
  switch (event.type) {
    case 'status':
    case 'execution_start':
    case 'execution_success':
    case 'execution_interrupted':
      queue.scheduleRefresh();
      break;
    case 'executing':
      if (event.data.node && canvas) {
        useNodeSeriesStore().clearNode(event.data.node);
        const shown = useExecutionStore().previews[event.data.node];
        usePreviewStripStore().clearNode(event.data.node, new Set(shown ? [shown] : []));
      } else if (!event.data.node) queue.scheduleRefresh(0);
      break;
    case 'executed': {
      if (!canvas) break;
      const nodeId = event.data.display_node || event.data.node;
      if (outputImages(event.data.output).length) makeRoom(nodeId, IMAGE_SPACE);
      const lines = outputTextLines(event.data.output).length;
      if (lines) makeRoom(nodeId, Math.min(lines, 8) * 16 + 16);
      useNodeSeriesStore().fillFromOutput(nodeId, event.data.output);
      break;
    }
    case 'execution_error': {
      const node = canvas ? graphHost.nodeById(event.data.node_id) : null;
      useToastStore().show(
        'error',
        `${node?.title ?? event.data.node_type} (#${event.data.node_id}) failed`,
        `${event.data.exception_type}: ${event.data.exception_message}`,
      );
      queue.scheduleRefresh();
      break;
    }
    default:
      break;
  }
  if (canvas) applyNodeEvent(event.type, event.data);
}

function onFrame(frame: SocketFrame): void {
  if (frame.kind === 'event') applyEvent(frame.event);
  else if (frame.kind === 'custom') {
    if (onCanvas(frame.data)) applyNodeEvent(frame.type, frame.data);
  } else if (frame.kind === 'preview') {
    const bytes = new Uint8Array(frame.bytes);
    useExecutionStore().applyPreviewBlob(new Blob([bytes], { type: frame.mime }));
  }
  graphHost.canvas.setDirty(true, false);
}

/** Opens the live connection for this tab; returns it (for closing in tests or on unmount). */
export function connectLiveEvents(): StudioSocket {
  const exec = useExecutionStore();
  const socket = new StudioSocket(tabClientId(), onFrame, (state) => {
    const wasClosed = exec.connection === 'closed';
    exec.connection = state;
    if (state === 'open' && wasClosed) void useQueueStore().refresh();
  });
  socket.connect();
  return socket;
}
