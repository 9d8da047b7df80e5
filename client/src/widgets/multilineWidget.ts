/**
 * A multiline STRING input (prompts) as a real <textarea> floating over the canvas, sized to the space
 * the node gives it. The value lives in the textarea; serialisation reads it through `value`.
 */
import type { LGraphNode } from '@comfyorg/litegraph';
import type { IBaseWidget } from '@comfyorg/litegraph/dist/types/widgets';
import type { DomWidgetLayer } from './domWidgetLayer';
import { hasOverlayContent } from '../canvas/nodeOverlays';

const MARGIN = 10;

/** A widget whose value is a textarea's text; `dispose` removes the element when the node goes. */
export interface MultilineWidget extends IBaseWidget<string, 'customtext'> {
  element: HTMLTextAreaElement;
  dispose(): void;
}

/**
 * Adds a textarea widget named `name` to `node`.
 * @param onCommit called when the user finishes an edit (blur), for undo and persistence.
 */
export function addMultilineWidget(
  node: LGraphNode,
  name: string,
  initial: string,
  layer: DomWidgetLayer,
  options: { placeholder?: string; tooltip?: string; onCommit: () => void },
): MultilineWidget {
  const element = document.createElement('textarea');
  element.className = 'multiline-widget';
  element.value = initial;
  element.placeholder = options.placeholder ?? name;
  element.spellcheck = false;
  element.dataset.widget = name;
  if (options.tooltip) element.title = options.tooltip;
  element.addEventListener('change', options.onCommit);

  const widget: MultilineWidget = {
    type: 'customtext',
    name,
    options: {},
    y: 0,
    element,
    get value(): string {
      return element.value;
    },
    set value(v: string | undefined) {
      element.value = v ?? '';
    },
    draw(ctx, _node, width, y, _h, lowQuality) {
      const height = (widget.computedHeight ?? 64) - 4;
      layer.place(element, ctx, MARGIN, y, width - 2 * MARGIN, height, !lowQuality);
    },
    computeLayoutSize(node) {
      // fill the node, unless it has results to show below the widgets
      return hasOverlayContent(node)
        ? { minHeight: 64, maxHeight: 96, minWidth: 220 }
        : { minHeight: 64, minWidth: 220 };
    },
    dispose() {
      layer.remove(element);
    },
  };
  node.addCustomWidget(widget);
  layer.add(element);
  return widget;
}
