/**
 * Litegraph's node and canvas menus as the studio offers them: without "Convert to Subgraph" (the server
 * runs no subgraphs, and converting deleted the nodes and their links), and with Bypass and Mute.
 */
import type { LGraphCanvas, LGraphEventMode, LGraphNode } from '@comfyorg/litegraph';
import { MODE_BYPASSED, MODE_MUTED, toggleMode } from './nodeModes';

const UNSUPPORTED_MENU_ENTRY = /^Convert to Subgraph/;

/**
 * Wraps the menus of `canvas`. Bypass and Mute act on `selectedNodes()` when the clicked node is among
 * them, else on the clicked node; `onChange` records the edit.
 */
export function adjustMenus(
  canvas: LGraphCanvas,
  selectedNodes: () => LGraphNode[],
  onChange: () => void,
): void {
  const supported = (entry: { content?: unknown } | null) =>
    !(entry && typeof entry.content === 'string' && UNSUPPORTED_MENU_ENTRY.test(entry.content));
  const nodeMenu = canvas.getNodeMenuOptions.bind(canvas);
  canvas.getNodeMenuOptions = (node) => {
    const toggle = (mode: LGraphEventMode) => () => {
      if (toggleMode(node.selected ? selectedNodes() : [node], mode)) onChange();
      canvas.setDirty(true, true);
    };
    const options = nodeMenu(node).filter(supported);
    const modes = [
      {
        content: node.mode === MODE_BYPASSED ? 'Remove bypass (Ctrl+B)' : 'Bypass (Ctrl+B)',
        callback: toggle(MODE_BYPASSED),
      },
      {
        content: node.mode === MODE_MUTED ? 'Unmute (Ctrl+M)' : 'Mute (Ctrl+M)',
        callback: toggle(MODE_MUTED),
      },
    ];
    const remove = options.findIndex((o) => o?.content === 'Remove');
    options.splice(remove < 0 ? options.length : remove, 0, ...modes, null);
    return options;
  };
  const canvasMenu = canvas.getCanvasMenuOptions.bind(canvas);
  canvas.getCanvasMenuOptions = () => canvasMenu().filter(supported);
}
