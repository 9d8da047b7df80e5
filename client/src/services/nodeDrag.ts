/** Dragging a node type from the node library onto the canvas: the drag data and the drop. */
import { graphHost } from '../canvas/graphHost';

/** The drag data type a node library entry carries. */
export const NODE_DRAG_TYPE = 'application/x-studio-node-type';

export function isNodeDrag(e: DragEvent): boolean {
  return e.dataTransfer?.types.includes(NODE_DRAG_TYPE) ?? false;
}

/** Adds the dragged node type where `e` was dropped on the canvas; false when `e` carries none. */
export function dropNode(e: DragEvent): boolean {
  const type = e.dataTransfer?.getData(NODE_DRAG_TYPE);
  if (!type) return false;
  const box = graphHost.canvas.canvas.getBoundingClientRect();
  return graphHost.addNode(type, [e.clientX - box.left, e.clientY - box.top]) !== undefined;
}
