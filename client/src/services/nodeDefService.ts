/**
 * The one place node definitions from `/object_info` become canvas node types: slots for linked types,
 * widgets for literal inputs, outputs with their names, and search metadata.
 */
import { LiteGraph, RenderShape } from '@comfyorg/litegraph';
import type { NodeDef, ObjectInfo } from '../api/wire';
import { StudioNode } from '../canvas/studioNode';
import { addInputWidget, type WidgetEnv } from '../widgets/widgetFactory';
import { describeInputs, type InputSpec } from './inputSpecs';
import type { SearchableNode } from './nodeSearch';

/** Free space output nodes keep for their images when created. */
const IMAGE_AREA_HEIGHT = 220;

function buildNode(node: StudioNode, def: NodeDef, inputs: InputSpec[], env: WidgetEnv): void {
  for (const input of inputs) {
    if (input.slot === 'socket') {
      const slot = node.addInput(
        input.name,
        input.type,
        input.optional ? { shape: RenderShape.HollowCircle } : {},
      );
      if (input.tooltip) Object.assign(slot, { tooltip: input.tooltip });
    } else {
      addInputWidget(node, input.name, input.widget, input.tooltip, env);
    }
  }
  def.output.forEach((type, i) => {
    node.addOutput(
      def.output_name[i] || type,
      type,
      def.output_is_list[i] ? { shape: RenderShape.GRID } : {},
    );
  });
  const size = node.computeSize();
  size[0] = Math.max(size[0], def.output_node ? 280 : 220);
  // output nodes show their images, upload nodes preview the chosen file
  if ((def.output_node && def.output.length === 0) || node.imageCombo) size[1] += IMAGE_AREA_HEIGHT;
  node.setSize(size);
}

export interface RegistrationResult {
  registered: string[];
  /** Definitions the client could not turn into nodes, with the reason. */
  failed: { type: string; error: string }[];
  /** For the search box. */
  searchable: SearchableNode[];
}

/** Registers (or re-registers) one canvas node type per definition. */
export function registerNodeDefs(objectInfo: ObjectInfo, env: WidgetEnv): RegistrationResult {
  const result: RegistrationResult = { registered: [], failed: [], searchable: [] };
  for (const def of Object.values(objectInfo)) {
    let inputs: InputSpec[];
    try {
      inputs = describeInputs(def);
    } catch (err) {
      result.failed.push({ type: def.name, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const title = def.display_name || def.name;
    const NodeType = class extends StudioNode {
      static override title = title;
      constructor(t?: string) {
        super(t ?? title, def);
        buildNode(this, def, inputs, env);
      }
    };
    LiteGraph.registerNodeType(def.name, NodeType);
    // registerNodeType derives the category from a "category/Type" name; ours comes from the declaration
    NodeType.category = def.category;
    result.registered.push(def.name);
    result.searchable.push({
      type: def.name,
      title,
      category: def.category,
      description: def.description,
      inputTypes: inputs.filter((i) => i.slot === 'socket').map((i) => i.type),
      outputTypes: def.output,
    });
  }
  return result;
}
