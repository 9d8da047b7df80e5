/**
 * Converting a widget to an input and back (ComfyUI's "convert to input"): the input is a socket on the
 * widget's row (`widget: {name}`, which litegraph places there and greys the widget out while linked),
 * so a link can supply the value; workflowToPrompt sends the link instead of the widget's value.
 */
import type { IContextMenuValue, LGraphNode } from '@comfyorg/litegraph';
import type { NodeDef } from '../api/wire';

/** The link type of declared input `name`: its type, `COMBO` for a list; undefined when not declared. */
export function widgetInputType(def: NodeDef, name: string): string | undefined {
  const spec = def.input.required?.[name] ?? def.input.optional?.[name];
  if (!spec) return undefined;
  return Array.isArray(spec[0]) ? 'COMBO' : spec[0];
}

/** The index of the input that stands for widget `name`, or -1. */
export function widgetInputIndex(node: LGraphNode, name: string): number {
  return node.inputs?.findIndex((slot) => slot.widget?.name === name) ?? -1;
}

/** Turns widget `name` into an input socket, or back (dropping its link); false when it cannot. */
export function toggleWidgetInput(node: LGraphNode, def: NodeDef, name: string): boolean {
  const index = widgetInputIndex(node, name);
  if (index >= 0) {
    if (node.inputs[index]?.link != null) node.disconnectInput(index);
    node.removeInput(index);
  } else {
    const type = widgetInputType(def, name);
    if (!type) return false;
    node.addInput(name, type, { widget: { name } });
  }
  node.setDirtyCanvas(true, true);
  return true;
}

/** The node menu's "Convert widget to input" submenu (one entry per declared widget). */
export function widgetInputMenu(
  node: LGraphNode,
  def: NodeDef,
  onChange: () => void,
): IContextMenuValue<unknown> | undefined {
  const widgets = (node.widgets ?? []).filter((w) => widgetInputType(def, w.name) !== undefined);
  if (widgets.length === 0) return undefined;
  return {
    content: 'Convert widget to input',
    has_submenu: true,
    submenu: {
      options: widgets.map((w) => ({
        content:
          widgetInputIndex(node, w.name) >= 0
            ? `Convert ${w.name} back to widget`
            : `Convert ${w.name} to input`,
        callback: () => {
          if (toggleWidgetInput(node, def, w.name)) onChange();
        },
      })),
    },
  };
}
