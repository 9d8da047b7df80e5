/**
 * Starts the studio page: canvas, node types from the server, live events, the last (or default)
 * workflow, shortcuts, and persistence of the graph across reloads.
 */
import { watch } from 'vue';
import { graphHost } from '../canvas/graphHost';
import { useExecutionStore } from '../stores/executionStore';
import { useNodeDefStore } from '../stores/nodeDefStore';
import { useQueueStore } from '../stores/queueStore';
import { useUndoStore } from '../stores/undoStore';
import { useWorkflowStore } from '../stores/workflowStore';
import { installDebugHandle } from './debugHandle';
import { clearErrorsOnEdit } from './errorsFollowEdits';
import { installKeybindings, type ShortcutActions } from './keybindings';
import { connectLiveEvents } from './liveEvents';
import { installTheme } from './themeService';

/** Boots the page; throws (with the reason) when the server's node definitions cannot be loaded. */
export async function bootStudio(
  container: HTMLElement,
  canvasEl: HTMLCanvasElement,
  actions: ShortcutActions,
): Promise<void> {
  const undo = useUndoStore();
  const workflow = useWorkflowStore();
  const layer = graphHost.createLayer(container, canvasEl);
  graphHost.init(canvasEl, () => undo.checkSoon());
  installTheme();
  installDebugHandle();
  await useNodeDefStore().load({ layer, onChange: () => undo.checkSoon() });
  useExecutionStore().setCanvasFilter((promptId) => workflow.promptOnCanvas(promptId));
  connectLiveEvents();
  if (!workflow.restoreLastSession()) await workflow.openDefault();
  // sync: an edit checked just before another tab comes to the front marks the tab it was made in
  watch(
    () => undo.revision,
    () => workflow.markModified(),
    { flush: 'sync' },
  );
  installKeybindings(actions);
  clearErrorsOnEdit();
  window.addEventListener('beforeunload', () => workflow.persist());
  void useQueueStore().refresh();
  void workflow.refreshLibrary();
}
