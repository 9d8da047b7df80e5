/**
 * The open workflows, one tab each: the front tab's graph is on the canvas, the others wait with their
 * graph and undo history; each has its name in the server library and whether it changed since it was
 * opened or saved. Also the library listing, and opening from files, the library, the default workflow or
 * the last visit's tabs.
 */
import { defineStore } from 'pinia';
import { computed, ref, toRaw } from 'vue';
import { studioApi } from '../api/studioApi';
import type { UiWorkflow, WorkflowListItem } from '../api/wire';
import { graphHost } from '../canvas/graphHost';
import { downloadWorkflow, parseWorkflowJson, workflowFromFile } from '../services/workflowFiles';
import { DEFAULT_WORKFLOW_NAME, workflowNameProblem } from '../../../protocol/workflowNames';
import { useConfirmStore } from './confirmStore';
import { useExecutionStore } from './executionStore';
import { useNodeDefStore } from './nodeDefStore';
import { useQueueStore } from './queueStore';
import { useToastStore } from './toastStore';
import { newUndoHistory, useUndoStore } from './undoStore';
import {
  EMPTY_WORKFLOW,
  loadTabs,
  restoreTabs,
  saveTabs,
  tabTitle,
  type TabStash,
  type WorkflowTab,
} from './workflowTabs';

/** Library names are bare (`My Flow`); a typed `My Flow.json` means the same. The server validates the rest. */
export function libraryName(name: string): string {
  const trimmed = name.trim();
  return trimmed.toLowerCase().endsWith('.json') ? trimmed.slice(0, -5) : trimmed;
}

/**
 * The graph as far as unsaved work goes: node sizes and execution order are left out, because the studio
 * changes them itself (a node grows when its output arrives).
 */
function workSignature(): string {
  const { nodes, ...rest } = JSON.parse(graphHost.snapshot()) as { nodes?: Record<string, unknown>[] };
  return JSON.stringify({ ...rest, nodes: (nodes ?? []).map(({ size: _s, order: _o, ...n }) => n) });
}

/** How a workflow is opened: its library name (null: saved nowhere) and the flags of its tab. */
type TabMeta = Pick<WorkflowTab, 'name' | 'label'> &
  Partial<Pick<WorkflowTab, 'readOnly' | 'modified'>> & {
    /** The finished prompt whose outputs the workflow is opened with (reopened from the history). */
    promptId?: string;
  };

function warnMissing(missing: string[]): void {
  if (missing.length === 0) return;
  useToastStore().show(
    'error',
    'Unknown node types',
    `${missing.join(', ')}: the server has no such nodes; they are kept but cannot run`,
  );
}

export const useWorkflowStore = defineStore('workflow', () => {
  const tabs = ref<WorkflowTab[]>([{ id: 1, name: null, readOnly: false, modified: false }]);
  const activeId = ref(1);
  const stashes = new Map<number, TabStash>([[1, { history: newUndoHistory() }]]);
  let nextId = 2;
  /** The tab each prompt queued from this page came from (prompts queued elsewhere are not listed). */
  const queuedFrom = new Map<string, number>();
  const library = ref<WorkflowListItem[]>([]);

  function activeTab(): WorkflowTab {
    const tab = tabs.value.find((t) => t.id === activeId.value);
    if (!tab) throw new Error(`the front workflow tab ${activeId.value} is not among the open tabs`);
    return tab;
  }

  function stashOf(id: number): TabStash {
    const stash = stashes.get(id);
    if (!stash) throw new Error(`workflow tab ${id} has no stored graph`);
    return stash;
  }

  const name = computed(() => activeTab().name);
  const readOnly = computed(() => activeTab().readOnly);
  const modified = computed(() => activeTab().modified);
  const title = computed(() => tabTitle(activeTab()));

  function persist(): void {
    saveTabs({
      active: tabs.value.findIndex((t) => t.id === activeId.value),
      tabs: tabs.value.map((t) => ({
        name: t.name,
        label: t.label,
        readOnly: t.readOnly,
        modified: t.modified,
        workflow: t.id === activeId.value ? graphHost.serialize() : stashOf(t.id).workflow,
      })),
    });
  }

  /** Puts `workflow` on the canvas as the front tab's workflow, with a fresh undo history. */
  function open(workflow: UiWorkflow, meta: TabMeta): void {
    const missing = graphHost.load(workflow);
    useExecutionStore().clearNodeState();
    const tab = activeTab();
    const undo = useUndoStore();
    undo.attach(stashOf(tab.id).history);
    undo.reset();
    const stash = stashOf(tab.id);
    stash.baseline = meta.modified ? undefined : workSignature();
    stash.lastPromptId = meta.promptId;
    tab.name = meta.name;
    tab.label = meta.label;
    tab.readOnly = meta.readOnly ?? false;
    tab.modified = meta.modified ?? false;
    persist();
    warnMissing(missing);
  }

  /** Keeps the front tab's graph beside it, so another tab can take the canvas. */
  function stashFront(): void {
    // an edit whose check is still pending belongs to this tab
    useUndoStore().check();
    stashOf(activeId.value).workflow = graphHost.serialize();
  }

  /** Brings tab `id` to the front: its graph onto the canvas, its undo history into use. */
  function show(id: number): void {
    const stash = stashOf(id);
    const missing = graphHost.load(stash.workflow ?? EMPTY_WORKFLOW, { viewport: 'saved' });
    activeId.value = id;
    stash.workflow = undefined;
    const exec = useExecutionStore();
    exec.clearNodeState();
    const last = useQueueStore().history.find((h) => h.promptId === stash.lastPromptId);
    if (last) exec.showOutputs(toRaw(last.entry).outputs);
    useUndoStore().attach(stash.history);
    if (stash.baselineOnShow) {
      stash.baseline = workSignature();
      stash.baselineOnShow = false;
    }
    persist();
    warnMissing(missing);
  }

  function addTab(meta: TabMeta): number {
    const id = nextId++;
    stashes.set(id, { history: newUndoHistory() });
    tabs.value.push({
      id,
      name: meta.name,
      label: meta.label,
      readOnly: meta.readOnly ?? false,
      modified: meta.modified ?? false,
    });
    return id;
  }

  function dropTab(id: number): void {
    tabs.value = tabs.value.filter((t) => t.id !== id);
    stashes.delete(id);
  }

  /** Notes that the tab in front queues `promptId` (before it is posted: its events can come first). */
  function noteQueued(promptId: string): void {
    queuedFrom.set(promptId, activeId.value);
  }

  /** The server took `promptId`: its tab shows its outputs again when it comes back to the front. */
  function noteAccepted(promptId: string): void {
    const tab = queuedFrom.get(promptId);
    const stash = tab === undefined ? undefined : stashes.get(tab);
    if (stash) stash.lastPromptId = promptId;
  }

  /** Whether `promptId`'s nodes are the canvas's: queued from the tab in front, or not from this page. */
  function promptOnCanvas(promptId: string): boolean {
    const tab = queuedFrom.get(promptId);
    return tab === undefined || tab === activeId.value;
  }

  /** Brings the open tab `id` to the front; the tab in front keeps its graph, undo history and marker. */
  function switchTo(id: number): void {
    const from = activeId.value;
    if (id === from || !stashes.has(id)) return;
    stashFront();
    try {
      show(id);
    } catch (err) {
      stashOf(from).workflow = undefined;
      useToastStore().error('Could not show that workflow tab', err);
    }
  }

  /**
   * Opens `workflow` (from the library, a file, the history) in a new tab in front, so the work in the
   * other tabs stays as it is; an untouched empty canvas is used instead of a new tab.
   */
  function openInTab(workflow: UiWorkflow, meta: TabMeta): void {
    if (graphHost.graph.nodes.length === 0 && !activeTab().modified) {
      open(workflow, meta);
      return;
    }
    const from = activeId.value;
    stashFront();
    const id = addTab(meta);
    activeId.value = id;
    try {
      open(workflow, meta);
    } catch (err) {
      // the canvas still shows the tab we came from
      dropTab(id);
      activeId.value = from;
      stashOf(from).workflow = undefined;
      useUndoStore().attach(stashOf(from).history);
      throw err;
    }
  }

  /** Closes tab `id`, first asking when it has unsaved changes. False when the person kept it. */
  async function closeTab(id: number): Promise<boolean> {
    const tab = tabs.value.find((t) => t.id === id);
    if (!tab) return false;
    if (tab.modified) {
      const discard = await useConfirmStore().ask({
        title: 'Close without saving?',
        message: `${tabTitle(tab)} has changes that are not saved. Closing its tab discards them.`,
        confirmLabel: 'Close without saving',
      });
      if (!discard) return false;
    }
    if (id === activeId.value) {
      const index = tabs.value.findIndex((t) => t.id === id);
      const neighbour = tabs.value[index + 1] ?? tabs.value[index - 1];
      show(neighbour ? neighbour.id : addTab({ name: null }));
    }
    dropTab(id);
    persist();
    return true;
  }

  async function refreshLibrary(): Promise<void> {
    try {
      library.value = await studioApi.listWorkflows();
    } catch (err) {
      useToastStore().error('Could not list the workflow library', err);
    }
  }

  /**
   * Opens library workflow `fileName` in a new tab, or brings its tab to the front when it is open;
   * `inFront` puts it in the front tab instead (the first workflow of a visit).
   */
  async function openFromLibrary(fileName: string, options: { inFront?: boolean } = {}): Promise<void> {
    const openTab = tabs.value.find((t) => t.name === fileName);
    if (openTab && !options.inFront) {
      switchTo(openTab.id);
      return;
    }
    try {
      if (library.value.length === 0) await refreshLibrary();
      const item = library.value.find((w) => w.name === fileName);
      const workflow = parseWorkflowJson(await studioApi.getWorkflow(fileName), fileName);
      const meta = { name: fileName, readOnly: item?.readOnly ?? false };
      if (options.inFront) open(workflow, meta);
      else openInTab(workflow, meta);
    } catch (err) {
      useToastStore().error(`Could not open ${fileName}`, err);
    }
  }

  /** Saves the front tab to the library under `fileName` (default: its current name). */
  async function save(fileName?: string): Promise<boolean> {
    const target = fileName ? libraryName(fileName) : name.value;
    if (!target) throw new Error('save() needs a name for an unsaved workflow');
    const problem = workflowNameProblem(target);
    if (problem) {
      useToastStore().show('error', `Could not save "${target}"`, problem);
      return false;
    }
    const tab = activeTab();
    try {
      await studioApi.saveWorkflow(target, graphHost.serialize());
      tab.name = target;
      tab.readOnly = false;
      tab.modified = false;
      stashOf(tab.id).baseline = workSignature();
      persist();
      useToastStore().show('success', `Saved ${target}`);
      await refreshLibrary();
      return true;
    } catch (err) {
      useToastStore().error(`Could not save ${target}`, err);
      return false;
    }
  }

  async function remove(fileName: string): Promise<void> {
    try {
      await studioApi.deleteWorkflow(fileName);
      for (const tab of tabs.value) if (tab.name === fileName) tab.name = null;
      persist();
      await refreshLibrary();
    } catch (err) {
      useToastStore().error(`Could not delete ${fileName}`, err);
    }
  }

  async function openFile(file: File): Promise<void> {
    try {
      const workflow = await workflowFromFile(file, useNodeDefStore().objectInfo);
      openInTab(workflow, { name: null, label: file.name, modified: true });
      useToastStore().show('info', `Opened ${file.name}`);
    } catch (err) {
      useToastStore().error(`Could not open ${file.name}`, err);
    }
  }

  /** Downloads the front tab's workflow as `<name>.json`. */
  function download(): void {
    downloadWorkflow(graphHost.serialize(), title.value);
  }

  /** Opens an empty canvas in a new tab (as ComfyUI's "New" does). */
  function newWorkflow(): void {
    openInTab(EMPTY_WORKFLOW, { name: null });
  }

  /** Reopens the tabs of the last visit; false when there is nothing usable. */
  function restoreLastSession(): boolean {
    const saved = loadTabs();
    if (!saved) return false;
    const restored = restoreTabs(saved, () => nextId++);
    if (restored.length === 0) return false;
    const front = restored.find((r) => r.savedIndex === saved.active) ?? restored[0]!;
    const before = { tabs: tabs.value, activeId: activeId.value, stashes: [...stashes] };
    tabs.value = restored.map((r) => r.tab);
    stashes.clear();
    for (const r of restored) stashes.set(r.tab.id, r.stash);
    try {
      show(front.tab.id);
      return true;
    } catch (err) {
      console.warn('the workflow tabs of the last visit could not be restored', err);
      tabs.value = before.tabs;
      activeId.value = before.activeId;
      stashes.clear();
      for (const [id, stash] of before.stashes) stashes.set(id, stash);
      return false;
    }
  }

  /** Opens the shipped default workflow ({@link DEFAULT_WORKFLOW_NAME}: train-sample-score). */
  async function openDefault(): Promise<void> {
    await openFromLibrary(DEFAULT_WORKFLOW_NAME, { inFront: true });
  }

  /** Called when the graph changed: the front tab is modified unless it is back to how it was saved. */
  function markModified(): void {
    const tab = activeTab();
    const { baseline } = stashOf(tab.id);
    tab.modified = baseline === undefined || workSignature() !== baseline;
    persist();
  }

  return {
    tabs,
    activeId,
    name,
    readOnly,
    modified,
    library,
    title,
    persist,
    open,
    openInTab,
    switchTo,
    closeTab,
    noteQueued,
    noteAccepted,
    promptOnCanvas,
    refreshLibrary,
    openFromLibrary,
    save,
    remove,
    openFile,
    download,
    newWorkflow,
    restoreLastSession,
    openDefault,
    markModified,
  };
});
