/**
 * Bypass and mute, as in ComfyUI: a bypassed node (mode 4) passes its matching-type inputs through to
 * whatever it fed, a muted node (mode 2, "Never") is left out with everything that needs its outputs.
 * protocol/workflowToPrompt.ts turns both into the prompt the server runs.
 */
import { LGraphEventMode, type LGraphCanvas, type LGraphNode } from '@comfyorg/litegraph';

export const MODE_ALWAYS = LGraphEventMode.ALWAYS;
export const MODE_MUTED = LGraphEventMode.NEVER;
export const MODE_BYPASSED = LGraphEventMode.BYPASS;

/** Body and title colours of a bypassed node (ComfyUI tints them magenta). */
export const BYPASS_BGCOLOR = '#6a2a70';
export const BYPASS_COLOR = '#4c1d52';
/** Opacity of a muted node, so it reads as switched off. */
export const MUTED_ALPHA = 0.4;

/**
 * Puts `nodes` in `mode`, or back to normal when every one of them is in it already (the shortcut toggles).
 * Returns whether anything changed.
 */
export function toggleMode(nodes: readonly LGraphNode[], mode: LGraphEventMode): boolean {
  if (nodes.length === 0) return false;
  const next = nodes.every((n) => n.mode === mode) ? MODE_ALWAYS : mode;
  // not changeMode(): litegraph's refuses BYPASS
  for (const node of nodes) node.mode = next;
  return true;
}

/** Makes `canvas` draw bypassed nodes tinted purple and muted ones faded, as ComfyUI does. */
export function drawNodeModes(canvas: LGraphCanvas): void {
  const drawNode = canvas.drawNode.bind(canvas);
  canvas.drawNode = (node, ctx) => {
    if (node.mode !== MODE_BYPASSED && node.mode !== MODE_MUTED) {
      drawNode(node, ctx);
      return;
    }
    const { color, bgcolor } = node;
    const alpha = canvas.editor_alpha;
    if (node.mode === MODE_BYPASSED) {
      node.color = BYPASS_COLOR;
      node.bgcolor = BYPASS_BGCOLOR;
    } else canvas.editor_alpha = MUTED_ALPHA;
    try {
      drawNode(node, ctx);
    } finally {
      node.color = color;
      node.bgcolor = bgcolor;
      canvas.editor_alpha = alpha;
    }
  };
}
