/**
 * What a workflow tab is, what it keeps while another tab is in front, and how the open tabs are kept in
 * localStorage across reloads (like ComfyUI's open workflows):
 * each tab's library name, flags and graph, and which tab was in front. Older pages kept one workflow
 * under {@link LEGACY_SESSION_KEY}; that is read as a single tab.
 */
import { z } from 'zod';
import type { UiWorkflow } from '../api/wire';
import { parseWorkflowJson } from '../services/workflowFiles';
import type { UndoHistory } from './undoHistory';
import { newUndoHistory } from './undoStore';

const OPEN_TABS_KEY = 'inversion-studio.openWorkflows';
const LEGACY_SESSION_KEY = 'inversion-studio.lastWorkflow';

/** What the tab bar shows of a tab. Reactive; the graph and undo history of a tab are kept beside it. */
export interface WorkflowTab {
  id: number;
  /** Library name (e.g. `portrait`), or null for an unsaved workflow. */
  name: string | null;
  /** What an unsaved workflow is called in its tab (the file it came from, `prompt #3`). */
  label?: string;
  /** A shipped example opened read-only: saving asks for a new name. */
  readOnly: boolean;
  /** Changed since opened or saved (the tab shows •). */
  modified: boolean;
}

/** What a tab keeps while another is in front: its graph, undo history and saved state's signature. */
export interface TabStash {
  /** The tab's graph; undefined while it is on the canvas. */
  workflow?: UiWorkflow;
  history: UndoHistory;
  /** workSignature (workflowStore.ts) of the graph as opened or saved; undefined for a graph saved nowhere. */
  baseline?: string;
  /**
   * The prompt this tab queued last (or was reopened from the history with): its outputs are shown again
   * when the tab comes back to the front.
   */
  lastPromptId?: string;
  /** A restored tab whose baseline is taken when it first comes to the front (its graph is not loaded yet). */
  baselineOnShow?: boolean;
}

export const EMPTY_WORKFLOW: UiWorkflow = {
  last_node_id: 0,
  last_link_id: 0,
  nodes: [],
  links: [],
  groups: [],
  config: {},
  extra: {},
  version: 0.4,
};

/** The name a tab shows: its library name, or that it is saved nowhere. */
export function tabTitle(tab: Pick<WorkflowTab, 'name' | 'label'>): string {
  return tab.name ?? tab.label ?? 'Unsaved workflow';
}

const savedTabSchema = z.object({
  name: z.string().nullable().optional(),
  label: z.string().optional(),
  readOnly: z.boolean().optional(),
  modified: z.boolean().optional(),
  workflow: z.unknown(),
});

const savedTabsSchema = z.object({
  active: z.number().int().nonnegative(),
  tabs: z.array(savedTabSchema).min(1),
});

/** One tab as stored: its flags and its graph (still unvalidated: the caller parses it as a workflow). */
export type SavedTab = z.infer<typeof savedTabSchema>;
export type SavedTabs = z.infer<typeof savedTabsSchema>;

/** Stores the open tabs; a full localStorage only costs the next visit its tabs, so it is a warning. */
export function saveTabs(saved: SavedTabs): void {
  try {
    localStorage.setItem(OPEN_TABS_KEY, JSON.stringify(saved));
    localStorage.removeItem(LEGACY_SESSION_KEY);
  } catch (err) {
    console.warn('could not keep the open workflows for the next visit', err);
  }
}

/** The tabs of the last visit, or undefined when none were kept (or they cannot be read). */
export function loadTabs(): SavedTabs | undefined {
  try {
    const raw = localStorage.getItem(OPEN_TABS_KEY);
    if (raw) {
      const saved = savedTabsSchema.parse(JSON.parse(raw));
      return { ...saved, active: Math.min(saved.active, saved.tabs.length - 1) };
    }
    const legacy = localStorage.getItem(LEGACY_SESSION_KEY);
    if (legacy) return { active: 0, tabs: [savedTabSchema.parse(JSON.parse(legacy))] };
  } catch (err) {
    console.warn('the open workflows of the last visit could not be read', err);
  }
  return undefined;
}

/** A tab of the last visit, ready to open: `savedIndex` is its place among the saved tabs. */
export interface RestoredTab {
  tab: WorkflowTab;
  stash: TabStash;
  savedIndex: number;
}

/** The saved tabs whose graph is still a workflow (others are left out with a warning), with new ids. */
export function restoreTabs(saved: SavedTabs, newId: () => number): RestoredTab[] {
  return saved.tabs.flatMap((t, savedIndex) => {
    try {
      const workflow = parseWorkflowJson(t.workflow, `tab ${savedIndex + 1} of the last visit`);
      const tab = {
        id: newId(),
        name: t.name ?? null,
        label: t.label,
        readOnly: t.readOnly ?? false,
        modified: t.modified ?? false,
      };
      return [
        { tab, stash: { workflow, history: newUndoHistory(), baselineOnShow: !tab.modified }, savedIndex },
      ];
    } catch (err) {
      console.warn('a workflow tab of the last visit could not be restored', err);
      return [];
    }
  });
}
