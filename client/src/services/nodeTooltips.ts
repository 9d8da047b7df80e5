/**
 * What a tooltip over the canvas says, from the node definitions (`/object_info`): a node's description on
 * its title, an input's or widget's `tooltip` option on its slot or widget, an output's type on its slot.
 */
import { graphHost } from '../canvas/graphHost';
import { StudioNode } from '../canvas/studioNode';

/** The tooltip at graph point (x, y), or undefined where there is nothing to explain. */
export function tooltipAt(x: number, y: number): string | undefined {
  const node = graphHost.graph.getNodeOnPos(x, y);
  if (!(node instanceof StudioNode)) return undefined;
  const { def } = node;
  const inputTooltip = (name: string) =>
    (def.input.required?.[name] ?? def.input.optional?.[name])?.[1]?.tooltip;
  if (y < node.pos[1]) return def.description || undefined;
  const input = node.getInputOnPos([x, y]);
  if (input) return inputTooltip(input.name) ?? `${input.name}: ${String(input.type)}`;
  const output = node.getOutputOnPos([x, y]);
  if (output) return `${output.name}: ${String(output.type)}`;
  const widget = node.getWidgetOnPos(x, y);
  return widget ? inputTooltip(widget.name) : undefined;
}
