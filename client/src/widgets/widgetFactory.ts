/**
 * Creates the canvas widget for one declared input, by kind (number, combo, text, multiline, toggle), with
 * ComfyUI's extras: `control_after_generate` after seed-like INTs and an upload button for `image_upload`.
 */
import type { LGraphNode } from '@comfyorg/litegraph';
import type { IBaseWidget } from '@comfyorg/litegraph/dist/types/widgets';
import { snapNumber, type WidgetSpec } from '../services/inputSpecs';
import type { StudioNode } from '../canvas/studioNode';
import { CONTROL_MODES, CONTROL_WIDGET_NAME } from './controlAfterGenerate';
import type { DomWidgetLayer } from './domWidgetLayer';
import { addImageUploadButton } from './imageUploadWidget';
import { addMultilineWidget } from './multilineWidget';

/** What widgets need from the app: the DOM layer for textareas and a "graph changed" signal. */
export interface WidgetEnv {
  layer: DomWidgetLayer;
  onChange: () => void;
}

/** Litegraph's legacy `step` is 10× the real one; `step2` is the real step. */
const LEGACY_STEP_FACTOR = 10;

/** Adds the widget(s) for input `name` to `node`. */
export function addInputWidget(
  node: StudioNode,
  name: string,
  spec: WidgetSpec,
  tooltip: string | undefined,
  env: WidgetEnv,
): void {
  const changed = () => env.onChange();
  let widget: IBaseWidget;
  switch (spec.kind) {
    case 'number': {
      const w = node.addWidget(
        'number',
        name,
        spec.default,
        (v: unknown) => {
          if (typeof v === 'number') {
            const snapped = snapNumber(spec, v);
            if (snapped !== v) w.value = snapped;
          }
          changed();
        },
        {
          min: spec.min,
          max: spec.max,
          step2: spec.step,
          step: spec.step * LEGACY_STEP_FACTOR,
          precision: spec.precision,
        },
      );
      widget = w;
      if (spec.controlAfterGenerate) {
        const control = node.addWidget('combo', CONTROL_WIDGET_NAME, 'randomize', changed, {
          values: [...CONTROL_MODES],
        });
        control.tooltip = 'what happens to this value after each queued prompt';
        w.linkedWidgets = [control];
      }
      break;
    }
    case 'combo': {
      const w = node.addWidget('combo', name, spec.default ?? '', changed, {
        values: spec.values.map(String),
      });
      widget = w;
      if (spec.imageUpload) {
        node.imageCombo = w;
        addImageUploadButton(node, w, changed);
      }
      break;
    }
    case 'toggle':
      widget = node.addWidget('toggle', name, spec.default, changed, {
        on: spec.labelOn ?? 'true',
        off: spec.labelOff ?? 'false',
      });
      break;
    case 'string':
      if (spec.multiline) {
        const w = addMultilineWidget(node, name, spec.default, env.layer, {
          placeholder: spec.placeholder,
          tooltip,
          onCommit: changed,
        });
        node.disposers.push(() => w.dispose());
        widget = w;
      } else {
        widget = node.addWidget('text', name, spec.default, changed, {});
      }
      break;
  }
  if (tooltip) widget.tooltip = tooltip;
}

/** Widgets of `node` that carry a control_after_generate companion, with that companion. */
export function controlledWidgets(node: LGraphNode): { target: IBaseWidget; control: IBaseWidget }[] {
  const out: { target: IBaseWidget; control: IBaseWidget }[] = [];
  for (const target of node.widgets ?? []) {
    const control = target.linkedWidgets?.find((w) => w.name === CONTROL_WIDGET_NAME);
    if (control) out.push({ target, control });
  }
  return out;
}
