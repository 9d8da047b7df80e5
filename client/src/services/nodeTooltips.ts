/**
 * What a tooltip over the canvas says, from the node definitions (`/object_info`): a node's description on
 * its title, an input's or widget's `tooltip` option on its slot or widget, an output's type on its slot,
 * and on a link's centre what it carries from where to where.
 */
import { graphHost } from '../canvas/graphHost';
import { StudioNode } from '../canvas/studioNode';

/** `IMAGE: VAE Decode.IMAGE → Save Image.images` for the link under the pointer's link-centre marker. */
function linkTooltip(): string | undefined {
  const segment = graphHost.canvas.over_link_center;
  const link = segment ? graphHost.graph.links.get(Number(segment.id)) : undefined;
  if (!link) return undefined;
  const origin = graphHost.nodeById(link.origin_id);
  const target = graphHost.nodeById(link.target_id);
  const from = `${origin?.title ?? link.origin_id}.${origin?.outputs[link.origin_slot]?.name ?? link.origin_slot}`;
  const to = `${target?.title ?? link.target_id}.${target?.inputs[link.target_slot]?.name ?? link.target_slot}`;
  return `${String(link.type)}: ${from} → ${to}`;
}

/** The tooltip at graph point (x, y), or undefined where there is nothing to explain. */
export function tooltipAt(x: number, y: number): string | undefined {
  const onLink = linkTooltip();
  if (onLink) return onLink;
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
