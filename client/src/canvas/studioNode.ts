/**
 * The base class of every canvas node registered from `/object_info`: compact widget values on save,
 * running/error outlines, a progress bar and the overlays of canvas/nodeOverlays.ts.
 */
import { LGraphNode, LiteGraph, type IContextMenuValue, type Point } from '@comfyorg/litegraph';
import type { ISerialisedNode } from '@comfyorg/litegraph/dist/types/serialisation';
import type { NodeDef } from '../api/wire';
import { nodeImages, openNodeImages } from '../services/imageViewer';
import { TRAINER_TYPE, useDashboardStore } from '../stores/dashboardStore';
import { useExecutionStore } from '../stores/executionStore';
import { inputImageRef, type ImageComboWidget } from '../widgets/imageUploadWidget';
import { useUndoStore } from '../stores/undoStore';
import { contentTop, drawNodeOverlays, ensureFreeSpace, overlayAt } from './nodeOverlays';
import { widgetInputMenu } from './widgetInputs';

const RUNNING_COLOR = '#4ade80';
const ERROR_COLOR = '#ef4444';
const PROGRESS_COLOR = '#22c55e';

export class StudioNode extends LGraphNode {
  /** The server's declaration this node was built from. */
  readonly def: NodeDef;
  /** The combo whose file is previewed (LoadImage's `image`), if any. */
  imageCombo: ImageComboWidget | undefined;
  /** Cleanup of DOM widgets when the node is removed. */
  readonly disposers: (() => void)[] = [];

  constructor(title: string, def: NodeDef) {
    super(title, def.name);
    this.def = def;
    this.comfyClass = def.name;
    this.serialize_widgets = true;
    const exec = useExecutionStore();
    this.strokeStyles.running = function (this: LGraphNode) {
      return exec.runningNodeId === String(this.id) ? { color: RUNNING_COLOR, lineWidth: 2 } : undefined;
    };
    this.strokeStyles.studioError = function (this: LGraphNode) {
      return exec.errors[String(this.id)] ? { color: ERROR_COLOR, lineWidth: 2 } : undefined;
    };
    this.onSerialize = (o: ISerialisedNode) => {
      // litegraph leaves holes for non-serialised widgets (the upload button); keep values positional
      if (this.widgets)
        o.widgets_values = this.widgets.filter((w) => w.serialize !== false).map((w) => w.value);
    };
    this.onRemoved = () => {
      for (const dispose of this.disposers) dispose();
    };
  }

  #laidOut = false;
  #pendingRoom = 0;

  /**
   * Asks for `px` of free space under the widgets (an image or chart arrived). Applied when the node is
   * next drawn, once litegraph has laid its widgets out, so off-screen nodes are sized correctly too.
   */
  requestRoom(px: number): void {
    this.#pendingRoom = Math.max(this.#pendingRoom, px);
    this.setDirtyCanvas(true, false);
  }

  override onDrawForeground(ctx: CanvasRenderingContext2D): void {
    if (this.#laidOut && this.#pendingRoom > 0) {
      ensureFreeSpace(this, this.#pendingRoom);
      this.#pendingRoom = 0;
    }
    const missing = drawNodeOverlays(
      this,
      ctx,
      this.imageCombo ? inputImageRef(this.imageCombo.value) : undefined,
    );
    // text wrapped onto more lines than the room asked for when it arrived: grow to show all of it
    if (missing > 0 && this.#laidOut) this.requestRoom(this.size[1] - contentTop(this) + missing);
    if (!this.#laidOut) {
      // widgets get their positions right after this call; size the node on the next frame
      this.#laidOut = true;
      if (this.#pendingRoom > 0) this.setDirtyCanvas(true, false);
    }
  }

  /** Double-click on an image opens the viewer; on a trainer's chart, the training dashboard. */
  override onDblClick(_e: unknown, pos: Point): void {
    const hit = overlayAt(this, pos[0], pos[1]);
    if (hit === 'images') openNodeImages(this);
    else if (hit === 'chart' && this.type === TRAINER_TYPE) useDashboardStore().open(String(this.id));
  }

  override getExtraMenuOptions(): (IContextMenuValue<unknown> | null)[] {
    const options: IContextMenuValue<unknown>[] = [];
    if (this.type === TRAINER_TYPE)
      options.push({
        content: 'Training dashboard',
        callback: () => useDashboardStore().open(String(this.id)),
      });
    if (nodeImages(this).images.length)
      options.push({ content: 'Open image', callback: () => void openNodeImages(this) });
    const convert = widgetInputMenu(this, this.def, () => useUndoStore().check());
    if (convert) options.push(convert);
    return options;
  }

  override drawProgressBar(ctx: CanvasRenderingContext2D): void {
    const p = useExecutionStore().progress[String(this.id)];
    if (!p || p.max <= 0 || this.flags.collapsed) return;
    const fraction = Math.min(1, Math.max(0, p.value / p.max));
    const y = -3;
    ctx.save();
    ctx.fillStyle = 'rgba(0,0,0,0.45)';
    ctx.fillRect(0, y, this.size[0], 3);
    ctx.fillStyle = PROGRESS_COLOR;
    ctx.fillRect(0, y, this.size[0] * fraction, 3);
    ctx.font = '11px Inter, system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#bbb';
    ctx.fillText(`${p.value}/${p.max}`, this.size[0] - 10, -LiteGraph.NODE_TITLE_HEIGHT / 2);
    ctx.restore();
  }
}
