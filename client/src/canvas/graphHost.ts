/**
 * Owns the litegraph graph and canvas of the page: creation and styling, high-DPI sizing, the node search
 * box, and loading/serialising workflows. Stores and components reach the graph only through here.
 */
import { LGraph, LGraphCanvas, LGraphGroup, LGraphNode, LiteGraph } from '@comfyorg/litegraph';
import type { ISerialisedGraph } from '@comfyorg/litegraph/dist/types/serialisation';
import { z } from 'zod';
import { uiWorkflowSchema, type UiWorkflow } from '../api/wire';
import { rankNodes, type SearchableNode, type SlotTypeFilter } from '../services/nodeSearch';
import { TYPE_COLORS } from '../services/typeColors';
import { DomWidgetLayer } from '../widgets/domWidgetLayer';
import { setImageLoadedHandler } from './imageCache';
import { AUTO_LAYOUT_KEY } from '../../../protocol/promptToWorkflow';
import { adjustMenus } from './canvasMenus';
import { drawNodeModes } from './nodeModes';

/**
 * How `load` sets the view: `keep` the current one (undo, redo), the workflow's `saved` one (reload), or
 * the saved one made to fit when nodes would be off screen (`fit-if-needed`, opening a workflow).
 */
export type ViewportChoice = 'keep' | 'saved' | 'fit-if-needed';

const savedViewportSchema = z.object({
  scale: z.number().positive(),
  offset: z.tuple([z.number(), z.number()]),
});

/** The smallest zoom `fitView` picks (node titles are still legible; litegraph's own minimum is 0.1). */
const MIN_FIT_SCALE = 0.25;

class GraphHost {
  #graph: LGraph | undefined;
  #canvas: LGraphCanvas | undefined;
  #layer: DomWidgetLayer | undefined;
  #searchable: SearchableNode[] = [];

  get graph(): LGraph {
    if (!this.#graph)
      throw new Error('the canvas is not initialised yet; call graphHost.init(canvasElement) first');
    return this.#graph;
  }

  get canvas(): LGraphCanvas {
    if (!this.#canvas)
      throw new Error('the canvas is not initialised yet; call graphHost.init(canvasElement) first');
    return this.#canvas;
  }

  /** Creates the DOM widget layer (needed before node types are registered). */
  createLayer(container: HTMLElement, canvasEl: HTMLCanvasElement): DomWidgetLayer {
    this.#layer = new DomWidgetLayer(container, canvasEl);
    return this.#layer;
  }

  /** What the search box ranks (set after node registration). */
  setSearchable(entries: SearchableNode[]): void {
    this.#searchable = entries;
  }

  /**
   * Creates graph and canvas on `canvasEl`, sized to its parent and kept so. `onChange` is called after
   * litegraph reports an edit (node added/removed, link changed, search-box insert, paste…).
   */
  init(canvasEl: HTMLCanvasElement, onChange: () => void): void {
    LiteGraph.release_link_on_empty_shows_menu = true;
    LiteGraph.alt_drag_do_clone_nodes = true;
    LiteGraph.snaps_for_comfy = true;
    LiteGraph.search_hide_on_mouse_leave = false;
    LiteGraph.NODE_TEXT_SIZE = 13;
    Object.assign(LGraphCanvas.link_type_colors, TYPE_COLORS);
    const graph = new LGraph();
    const canvas = new LGraphCanvas(canvasEl, graph);
    canvas.allow_searchbox = true;
    canvas.render_canvas_border = false;
    canvas.show_info = false;
    canvas.low_quality_zoom_threshold = 0.4;
    canvas.clear_background_color = '#1b1b1d';
    canvas.default_connection_color_byType = { ...TYPE_COLORS };
    canvas.default_connection_color_byTypeOff = { ...TYPE_COLORS };
    this.#wrapSearchBox(canvas);
    adjustMenus(canvas, () => this.selectedNodes(), onChange);
    drawNodeModes(canvas);
    canvas.onRender = () => this.#layer?.beginFrame();
    canvas.onDrawOverlay = () => this.#layer?.endFrame();
    graph.onAfterChange = onChange;
    graph.onNodeAdded = onChange;
    graph.onNodeRemoved = onChange;
    graph.onConnectionChange = onChange;
    this.#graph = graph;
    this.#canvas = canvas;
    setImageLoadedHandler(() => canvas.setDirty(true, false));
    const resize = () => this.#resize(canvasEl);
    new ResizeObserver(resize).observe(canvasEl.parentElement ?? canvasEl);
    resize();
    canvas.startRendering();
  }

  /**
   * Litegraph's search box, with our ranking, filtered by the type of a link dragged onto empty canvas,
   * and handing focus straight back to the canvas when it closes (litegraph waits 20 ms, and keys typed
   * in between went to the removed input).
   */
  #wrapSearchBox(canvas: LGraphCanvas): void {
    let filter: SlotTypeFilter = {};
    canvas.onSearchBox = (_helper, query) => {
      const ranked = rankNodes(this.#searchable, query, 50, filter);
      return ranked.length || !(filter.input || filter.output) ? ranked : rankNodes(this.#searchable, query);
    };
    const show = canvas.showSearchBox.bind(canvas);
    canvas.showSearchBox = (event, options) => {
      const typeName = (t: unknown) => (typeof t === 'string' && t ? t : undefined);
      filter = { input: typeName(options?.type_filter_in), output: typeName(options?.type_filter_out) };
      const dialog = show(event, options);
      const close: unknown = Reflect.get(dialog, 'close');
      if (typeof close === 'function') {
        Reflect.set(dialog, 'close', () => {
          close.call(dialog);
          canvas.canvas.focus();
        });
      }
      return dialog;
    };
  }

  #resize(el: HTMLCanvasElement): void {
    const dpr = window.devicePixelRatio || 1;
    const { clientWidth, clientHeight } = el;
    const w = Math.round(clientWidth * dpr);
    const h = Math.round(clientHeight * dpr);
    if (el.width === w && el.height === h) return;
    el.width = w;
    el.height = h;
    el.getContext('2d')?.scale(dpr, dpr);
    this.#canvas?.setDirty(true, true);
  }

  /** The graph as a UI workflow (viewport included in `extra.ds`). */
  serialize(): UiWorkflow {
    return uiWorkflowSchema.parse(this.graph.serialize());
  }

  /**
   * A snapshot for undo and change detection: the workflow without viewport or revision counters,
   * so panning or zooming is not an undoable change.
   */
  snapshot(): string {
    const data = this.graph.serialize();
    const { extra, ...rest } = data;
    const { ds: _ds, ...extraRest } = extra ?? {};
    return JSON.stringify({ ...rest, revision: undefined, extra: extraRest });
  }

  /**
   * Replaces the graph with `workflow`. Returns the node types the server does not know (those nodes
   * stay on the canvas, inert, so a save keeps them).
   */
  load(workflow: UiWorkflow, options: { viewport?: ViewportChoice } = {}): string[] {
    const known = LiteGraph.registered_node_types;
    const missing = [...new Set(workflow.nodes.map((n) => n.type).filter((t) => !(t in known)))];
    const ds = this.canvas.ds;
    const keep = { scale: ds.scale, offset: [ds.offset[0], ds.offset[1]] as const };
    const previous = this.graph.serialize();
    try {
      // a plain copy: litegraph structuredClones parts of it, which fails on Vue's reactive proxies
      const plain: unknown = JSON.parse(JSON.stringify(workflow));
      // uiWorkflowSchema validated the shape; litegraph reads the same JSON with its own (wider) types
      this.graph.configure(plain as ISerialisedGraph);
    } catch (err) {
      // configure clears the graph first: put the old one back rather than leave a blank canvas
      this.graph.configure(previous);
      throw err;
    }
    if (this.graph.extra[AUTO_LAYOUT_KEY]) {
      delete this.graph.extra[AUTO_LAYOUT_KEY];
      this.#stackColumns();
    }
    const choice = options.viewport ?? 'fit-if-needed';
    const saved = savedViewportSchema.safeParse(workflow.extra?.ds);
    const view = choice === 'keep' ? keep : saved.success ? saved.data : undefined;
    if (view) {
      ds.scale = view.scale;
      ds.offset[0] = view.offset[0];
      ds.offset[1] = view.offset[1];
    }
    if (choice === 'fit-if-needed' || (choice === 'saved' && !view)) {
      // no saved viewport, or one made for another screen: show the graph
      if (!this.#allNodesVisible()) this.fitView();
    }
    // draw now: the first frame settles what drawing changes (a node's minimum size for its slots and
    // widgets), so the graph a caller snapshots next is the one on screen and undo does not step to it
    this.canvas.draw(true, true);
    return missing;
  }

  /** Re-stacks each column of nodes (same x) top to bottom, and the columns left to right, by real sizes. */
  #stackColumns(): void {
    const gap = 30;
    let x: number | undefined;
    const columns = new Map<number, LGraphNode[]>();
    for (const node of this.graph.nodes) {
      const column = columns.get(node.pos[0]) ?? [];
      column.push(node);
      columns.set(node.pos[0], column);
    }
    for (const [left, column] of [...columns].sort((a, b) => a[0] - b[0])) {
      x ??= left;
      column.sort((a, b) => a.pos[1] - b.pos[1]);
      let y = column[0]!.pos[1];
      for (const node of column) {
        node.pos[0] = x;
        node.pos[1] = y;
        y += node.size[1] + LiteGraph.NODE_TITLE_HEIGHT + gap;
      }
      x += Math.max(...column.map((n) => n.size[0])) + 2 * gap;
    }
  }

  /** Bounds of all nodes in graph coordinates, or undefined for an empty graph. */
  #nodeBounds(): [number, number, number, number] | undefined {
    const nodes = this.graph.nodes;
    if (nodes.length === 0) return undefined;
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const n of nodes) {
      x0 = Math.min(x0, n.pos[0]);
      y0 = Math.min(y0, n.pos[1] - LiteGraph.NODE_TITLE_HEIGHT);
      x1 = Math.max(x1, n.pos[0] + n.size[0]);
      y1 = Math.max(y1, n.pos[1] + n.size[1]);
    }
    return [x0, y0, x1, y1];
  }

  #allNodesVisible(): boolean {
    const bounds = this.#nodeBounds();
    if (!bounds) return true;
    const el = this.canvas.canvas;
    const ds = this.canvas.ds;
    const [left, top] = ds.convertOffsetToCanvas([bounds[0], bounds[1]]);
    const [right, bottom] = ds.convertOffsetToCanvas([bounds[2], bounds[3]]);
    return left >= 0 && top >= 0 && right <= el.clientWidth && bottom <= el.clientHeight;
  }

  /**
   * Zooms and pans so every node is visible in the canvas (which the side panels never cover), zooming
   * out below a comfortable size when the graph needs it, but never past {@link MIN_FIT_SCALE}: a graph
   * too large for that is shown from its top-left corner (where pipelines start).
   */
  fitView(): void {
    const bounds = this.#nodeBounds();
    if (!bounds) return;
    const [x0, y0, x1, y1] = bounds;
    const el = this.canvas.canvas;
    const pad = 40;
    const fit = Math.min((el.clientWidth - 2 * pad) / (x1 - x0), (el.clientHeight - 2 * pad) / (y1 - y0));
    const scale = Math.min(1.1, Math.max(MIN_FIT_SCALE, fit));
    const ds = this.canvas.ds;
    ds.scale = scale;
    const fitsX = (x1 - x0) * scale <= el.clientWidth - 2 * pad + 0.5;
    const fitsY = (y1 - y0) * scale <= el.clientHeight - 2 * pad + 0.5;
    ds.offset[0] = fitsX ? el.clientWidth / (2 * scale) - (x0 + x1) / 2 : pad / scale - x0;
    ds.offset[1] = fitsY ? el.clientHeight / (2 * scale) - (y0 + y1) / 2 : pad / scale - y0;
    this.canvas.setDirty(true, true);
  }

  /**
   * Adds a node of `type` with its title bar at canvas point `at` (CSS px inside the canvas; default the
   * middle of the view), selected. Undefined when the type is not registered.
   */
  addNode(type: string, at?: readonly [number, number]): LGraphNode | undefined {
    const node = LiteGraph.createNode(type);
    if (!node) return undefined;
    const el = this.canvas.canvas;
    const [x, y] = this.canvas.ds.convertCanvasToOffset([
      at?.[0] ?? el.clientWidth / 2,
      at?.[1] ?? el.clientHeight / 2,
    ]);
    node.pos = [
      x - (at ? 0 : node.size[0] / 2),
      y + LiteGraph.NODE_TITLE_HEIGHT - (at ? 0 : node.size[1] / 2),
    ];
    this.graph.add(node);
    this.canvas.selectNode(node);
    this.canvas.setDirty(true, true);
    return node;
  }

  /**
   * Puts a group around the selected nodes (Ctrl+G, as in ComfyUI), selected so it can be renamed or
   * moved; undefined when nothing is selected.
   */
  groupSelected(title = 'Group'): LGraphGroup | undefined {
    const nodes = this.selectedNodes();
    if (nodes.length === 0) return undefined;
    const group = new LGraphGroup(title);
    group.resizeTo(nodes, 10);
    this.graph.add(group);
    this.canvas.deselectAll();
    this.canvas.select(group);
    this.canvas.setDirty(true, true);
    return group;
  }

  /** The nodes selected on the canvas. */
  selectedNodes(): LGraphNode[] {
    return [...this.canvas.selectedItems].filter((item): item is LGraphNode => item instanceof LGraphNode);
  }

  nodeById(id: string | number): LGraphNode | null {
    return this.graph.getNodeById(id);
  }

  redraw(): void {
    this.#canvas?.setDirty(true, true);
  }
}

/** The page's one graph and canvas. */
export const graphHost = new GraphHost();
