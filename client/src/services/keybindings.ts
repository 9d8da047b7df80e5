/**
 * Keyboard shortcuts and change detection: Ctrl+Enter queues, Ctrl+Z / Ctrl+Y (or Ctrl+Shift+Z) undo and
 * redo, Ctrl+S saves, Ctrl+B bypasses and Ctrl+M mutes the selected nodes (again: back to normal), Ctrl+,
 * opens the settings, single keys toggle the panels as in ComfyUI; every pointer-up and key-up asks the
 * undo store whether the graph changed. {@link SHORTCUTS} lists them all for the keybinding panel.
 */
import { graphHost } from '../canvas/graphHost';
import { MODE_BYPASSED, MODE_MUTED, toggleMode } from '../canvas/nodeModes';
import { useUndoStore } from '../stores/undoStore';

/** The left sidebar's tabs. */
export type SideTab = 'workflows' | 'gallery' | 'nodes' | 'models';

export interface ShortcutActions {
  queue(front: boolean): void;
  save(): void;
  openFile(): void;
  toggleSideTab(tab: SideTab): void;
  toggleQueuePanel(): void;
  openSettings(): void;
}

/** A shortcut as the keybinding panel lists it. */
export interface ShortcutInfo {
  keys: string;
  action: string;
  /** Where it works: anywhere on the page, on the canvas (litegraph's own), or in the image viewer. */
  scope: 'page' | 'canvas' | 'viewer';
}

/** Every shortcut of the page, for the keybinding panel (the handlers below and litegraph's). */
export const SHORTCUTS: readonly ShortcutInfo[] = [
  { keys: 'Ctrl+Enter', action: 'Queue the workflow', scope: 'page' },
  { keys: 'Ctrl+Shift+Enter', action: 'Queue the workflow first', scope: 'page' },
  { keys: 'Ctrl+S', action: 'Save to the library', scope: 'page' },
  { keys: 'Ctrl+O', action: 'Open a workflow file', scope: 'page' },
  { keys: 'Ctrl+Z', action: 'Undo', scope: 'page' },
  { keys: 'Ctrl+Y / Ctrl+Shift+Z', action: 'Redo', scope: 'page' },
  { keys: 'Ctrl+B', action: 'Bypass the selected nodes', scope: 'page' },
  { keys: 'Ctrl+M', action: 'Mute the selected nodes', scope: 'page' },
  { keys: 'Ctrl+G', action: 'Group the selected nodes', scope: 'page' },
  { keys: 'Ctrl+,', action: 'Settings', scope: 'page' },
  { keys: 'W', action: 'Workflow library', scope: 'page' },
  { keys: 'N', action: 'Node library', scope: 'page' },
  { keys: 'M', action: 'Model library', scope: 'page' },
  { keys: 'A', action: 'Gallery', scope: 'page' },
  { keys: 'Q', action: 'Queue and history panel', scope: 'page' },
  { keys: 'Double-click', action: 'Search and add a node', scope: 'canvas' },
  { keys: 'Delete / Backspace', action: 'Remove the selected nodes', scope: 'canvas' },
  { keys: 'Ctrl+C / Ctrl+V', action: 'Copy / paste the selected nodes', scope: 'canvas' },
  { keys: 'Ctrl+Shift+V', action: 'Paste keeping input links', scope: 'canvas' },
  { keys: 'Ctrl+A', action: 'Select every node', scope: 'canvas' },
  { keys: 'Space + drag', action: 'Pan the canvas', scope: 'canvas' },
  { keys: '← / →', action: 'Previous / next image', scope: 'viewer' },
  { keys: 'Esc', action: 'Close the viewer or the dashboard', scope: 'viewer' },
];

/** Single keys as ComfyUI's frontend binds them (w, n, m, q; its assets tab `a` is our gallery). */
const SINGLE_KEYS: Readonly<Record<string, (actions: ShortcutActions) => void>> = {
  w: (a) => a.toggleSideTab('workflows'),
  a: (a) => a.toggleSideTab('gallery'),
  n: (a) => a.toggleSideTab('nodes'),
  m: (a) => a.toggleSideTab('models'),
  q: (a) => a.toggleQueuePanel(),
};

function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Installs the shortcuts on `window`; returns a function that removes them. */
export function installKeybindings(actions: ShortcutActions): () => void {
  const undo = useUndoStore();
  const onKeyDown = (e: KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    if (!mod) {
      const single = SINGLE_KEYS[e.key];
      if (single && !e.altKey && !e.repeat && !isTextTarget(e.target)) {
        e.preventDefault();
        single(actions);
      }
      return;
    }
    const key = e.key.toLowerCase();
    if (key === 'enter') {
      e.preventDefault();
      actions.queue(e.shiftKey);
      return;
    }
    if (key === 's') {
      e.preventDefault();
      actions.save();
      return;
    }
    if (key === 'o') {
      e.preventDefault();
      actions.openFile();
      return;
    }
    if (key === ',') {
      e.preventDefault();
      actions.openSettings();
      return;
    }
    if (isTextTarget(e.target)) return;
    if (key === 'g') {
      e.preventDefault();
      if (graphHost.groupSelected()) undo.check();
      return;
    }
    if (key === 'b' || key === 'm') {
      e.preventDefault();
      if (toggleMode(graphHost.selectedNodes(), key === 'b' ? MODE_BYPASSED : MODE_MUTED)) {
        graphHost.redraw();
        undo.check();
      }
      return;
    }
    if (key === 'z' && !e.shiftKey) {
      e.preventDefault();
      undo.undo();
    } else if (key === 'y' || (key === 'z' && e.shiftKey)) {
      e.preventDefault();
      undo.redo();
    }
  };
  const onSettled = () => undo.checkSoon();
  window.addEventListener('keydown', onKeyDown);
  window.addEventListener('keyup', onSettled);
  window.addEventListener('pointerup', onSettled);
  return () => {
    window.removeEventListener('keydown', onKeyDown);
    window.removeEventListener('keyup', onSettled);
    window.removeEventListener('pointerup', onSettled);
  };
}
