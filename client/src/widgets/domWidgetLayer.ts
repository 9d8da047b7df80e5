/**
 * Places real DOM elements (the multiline prompt textarea) over the canvas where their widget is drawn.
 * Each frame, widgets that were drawn report their element's rectangle; elements not drawn in a frame
 * (node scrolled away, collapsed or removed) are hidden at the frame's end.
 */

interface Placement {
  element: HTMLElement;
  frame: number;
}

export class DomWidgetLayer {
  readonly root: HTMLDivElement;
  #frame = 0;
  #placements = new Set<Placement>();
  #byElement = new Map<HTMLElement, Placement>();

  constructor(
    parent: HTMLElement,
    private readonly canvasEl: HTMLCanvasElement,
  ) {
    this.root = document.createElement('div');
    this.root.className = 'dom-widget-layer';
    parent.append(this.root);
  }

  /** Adds an element to the layer (hidden until its widget is drawn). */
  add(element: HTMLElement): void {
    if (this.#byElement.has(element)) return;
    element.style.display = 'none';
    element.style.position = 'absolute';
    this.root.append(element);
    const placement = { element, frame: -1 };
    this.#placements.add(placement);
    this.#byElement.set(element, placement);
  }

  remove(element: HTMLElement): void {
    const placement = this.#byElement.get(element);
    if (!placement) return;
    this.#placements.delete(placement);
    this.#byElement.delete(element);
    element.remove();
  }

  /** Called at the start of every canvas frame. */
  beginFrame(): void {
    this.#frame++;
  }

  /** Called at the end of every canvas frame: hides what was not drawn. */
  endFrame(): void {
    for (const p of this.#placements) {
      if (p.frame !== this.#frame && p.element.style.display !== 'none') p.element.style.display = 'none';
    }
  }

  /**
   * Shows `element` over the rectangle (x, y, w, h) given in the current canvas context's coordinates
   * (i.e. from inside a widget's draw call, where the context is transformed to the node).
   */
  place(
    element: HTMLElement,
    ctx: CanvasRenderingContext2D,
    x: number,
    y: number,
    w: number,
    h: number,
    visible: boolean,
  ): void {
    const placement = this.#byElement.get(element);
    if (!placement) return;
    if (!visible) return;
    placement.frame = this.#frame;
    const t = ctx.getTransform();
    const pxPerCss = this.canvasEl.width / Math.max(1, this.canvasEl.clientWidth);
    const scale = t.a / pxPerCss;
    const left = (t.a * x + t.e) / pxPerCss + this.canvasEl.offsetLeft;
    const top = (t.d * y + t.f) / pxPerCss + this.canvasEl.offsetTop;
    const style = element.style;
    style.display = '';
    style.transformOrigin = '0 0';
    style.transform = `translate(${left}px, ${top}px) scale(${scale})`;
    style.width = `${w}px`;
    style.height = `${h}px`;
  }
}
