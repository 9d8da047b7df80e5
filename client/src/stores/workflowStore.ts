/**
 * The open workflow: its name in the server library, whether it changed since it was opened or saved, the
 * library listing, and opening from files, the library, the default workflow or the last session.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { z } from 'zod';
import { studioApi } from '../api/studioApi';
import type { UiWorkflow, WorkflowListItem } from '../api/wire';
import { graphHost, type ViewportChoice } from '../canvas/graphHost';
import { parseWorkflowJson, workflowFromFile } from '../services/workflowFiles';
import { DEFAULT_WORKFLOW_NAME, workflowNameProblem } from '../../../protocol/workflowNames';
import { useConfirmStore } from './confirmStore';
import { useExecutionStore } from './executionStore';
import { useNodeDefStore } from './nodeDefStore';
import { useToastStore } from './toastStore';
import { useUndoStore } from './undoStore';

const LAST_SESSION_KEY = 'inversion-studio.lastWorkflow';

const lastSessionSchema = z.object({
  name: z.string().nullable().optional(),
  readOnly: z.boolean().optional(),
  modified: z.boolean().optional(),
  workflow: z.unknown(),
});

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

export const useWorkflowStore = defineStore('workflow', () => {
  /** Library name (e.g. `portrait`), or null for an unsaved workflow. */
  const name = ref<string | null>(null);
  /** A shipped example opened read-only: saving asks for a new name. */
  const readOnly = ref(false);
  const modified = ref(false);
  const library = ref<WorkflowListItem[]>([]);

  const title = computed(() => name.value ?? 'Unsaved workflow');
  /** {@link workSignature} when the graph was last opened or saved; undefined when that is not known. */
  let baseline: string | undefined;

  /** Whether replacing the graph now would lose work that exists nowhere else. */
  function hasUnsavedEdits(): boolean {
    return graphHost.graph.nodes.length > 0 && workSignature() !== baseline;
  }

  function persist(): void {
    try {
      localStorage.setItem(
        LAST_SESSION_KEY,
        JSON.stringify({
          name: name.value,
          readOnly: readOnly.value,
          modified: modified.value,
          workflow: graphHost.serialize(),
        }),
      );
    } catch (err) {
      console.warn('could not keep the workflow for the next visit', err);
    }
  }

  /** Puts `workflow` on the canvas as the open workflow. */
  function open(
    workflow: UiWorkflow,
    meta: {
      name: string | null;
      readOnly?: boolean;
      modified?: boolean;
      viewport?: ViewportChoice;
      /** Keep the undo history, so Ctrl+Z brings back the graph this one replaced. */
      undoable?: boolean;
      /** The workflow is a copy of nothing saved (a restored session with unsaved edits). */
      unsavedCopy?: boolean;
    },
  ): void {
    const undo = useUndoStore();
    if (meta.undoable) undo.recordQuietly();
    const missing = graphHost.load(workflow, { viewport: meta.viewport });
    useExecutionStore().clearNodeState();
    if (meta.undoable) undo.recordQuietly();
    else undo.reset();
    baseline = meta.unsavedCopy ? undefined : workSignature();
    name.value = meta.name;
    readOnly.value = meta.readOnly ?? false;
    modified.value = meta.modified ?? false;
    persist();
    if (missing.length) {
      useToastStore().show(
        'error',
        'Unknown node types',
        `${missing.join(', ')}: the server has no such nodes; they are kept but cannot run`,
      );
    }
  }

  async function refreshLibrary(): Promise<void> {
    try {
      library.value = await studioApi.listWorkflows();
    } catch (err) {
      useToastStore().error('Could not list the workflow library', err);
    }
  }

  /**
   * Opens `workflow` in place of the graph as a person asked to (library, file, history): first asks
   * whether to discard unsaved edits, and keeps the replaced graph one undo away. False when declined.
   */
  async function replaceGraph(
    workflow: UiWorkflow,
    meta: { name: string | null; readOnly?: boolean; modified?: boolean },
    what: string,
  ): Promise<boolean> {
    if (hasUnsavedEdits()) {
      const discard = await useConfirmStore().ask({
        title: 'Discard unsaved changes?',
        message: `${title.value} has changes that are not saved. Opening ${what} replaces them (Ctrl+Z brings them back).`,
        confirmLabel: `Open ${what}`,
      });
      if (!discard) return false;
    }
    open(workflow, { ...meta, undoable: true });
    return true;
  }

  async function openFromLibrary(fileName: string, options: { replace?: boolean } = {}): Promise<void> {
    try {
      if (library.value.length === 0) await refreshLibrary();
      const item = library.value.find((w) => w.name === fileName);
      const workflow = parseWorkflowJson(await studioApi.getWorkflow(fileName), fileName);
      const meta = { name: fileName, readOnly: item?.readOnly ?? false };
      if (options.replace === false) open(workflow, meta);
      else await replaceGraph(workflow, meta, fileName);
    } catch (err) {
      useToastStore().error(`Could not open ${fileName}`, err);
    }
  }

  /** Saves to the library under `fileName` (default: the current name). */
  async function save(fileName?: string): Promise<boolean> {
    const target = fileName ? libraryName(fileName) : name.value;
    if (!target) throw new Error('save() needs a name for an unsaved workflow');
    const problem = workflowNameProblem(target);
    if (problem) {
      useToastStore().show('error', `Could not save "${target}"`, problem);
      return false;
    }
    try {
      await studioApi.saveWorkflow(target, graphHost.serialize());
      name.value = target;
      readOnly.value = false;
      modified.value = false;
      baseline = workSignature();
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
      if (name.value === fileName) name.value = null;
      await refreshLibrary();
    } catch (err) {
      useToastStore().error(`Could not delete ${fileName}`, err);
    }
  }

  async function openFile(file: File): Promise<void> {
    try {
      const workflow = await workflowFromFile(file, useNodeDefStore().objectInfo);
      const opened = await replaceGraph(workflow, { name: null, modified: true }, file.name);
      if (opened) useToastStore().show('info', `Opened ${file.name}`);
    } catch (err) {
      useToastStore().error(`Could not open ${file.name}`, err);
    }
  }

  /** Downloads the workflow as `<name>.json`. */
  function download(): void {
    const blob = new Blob([JSON.stringify(graphHost.serialize(), null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${title.value}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  /** Clears the canvas for a new workflow; undoable (Ctrl+Z brings the old graph back). */
  function newWorkflow(): void {
    graphHost.load(
      {
        last_node_id: 0,
        last_link_id: 0,
        nodes: [],
        links: [],
        groups: [],
        config: {},
        extra: {},
        version: 0.4,
      },
      { viewport: 'keep' },
    );
    useExecutionStore().clearNodeState();
    name.value = null;
    readOnly.value = false;
    modified.value = false;
    baseline = workSignature();
    useUndoStore().check();
    persist();
  }

  /** Reopens what was on the canvas before the page was reloaded; false when there is nothing usable. */
  function restoreLastSession(): boolean {
    const raw = localStorage.getItem(LAST_SESSION_KEY);
    if (!raw) return false;
    try {
      const saved = lastSessionSchema.parse(JSON.parse(raw));
      open(parseWorkflowJson(saved.workflow, 'the last session'), {
        name: saved.name ?? null,
        readOnly: saved.readOnly,
        modified: saved.modified,
        viewport: 'saved',
        unsavedCopy: saved.modified,
      });
      return true;
    } catch (err) {
      console.warn('the last session could not be restored', err);
      return false;
    }
  }

  /** Opens the shipped default workflow ({@link DEFAULT_WORKFLOW_NAME}: train-sample-score). */
  async function openDefault(): Promise<void> {
    await openFromLibrary(DEFAULT_WORKFLOW_NAME, { replace: false });
  }

  /** Called when the graph changed. */
  function markModified(): void {
    modified.value = true;
    persist();
  }

  return {
    name,
    readOnly,
    modified,
    library,
    title,
    persist,
    open,
    replaceGraph,
    hasUnsavedEdits,
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
