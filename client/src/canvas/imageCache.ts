/** Loads images for drawing on the canvas once per URL and asks for a redraw when each one arrives. */

const cache = new Map<string, HTMLImageElement>();
let onLoaded: () => void = () => {};

/** Sets what to call when an image finishes loading (the canvas redraw). */
export function setImageLoadedHandler(handler: () => void): void {
  onLoaded = handler;
}

/** The image for `url`; it may still be loading (check `complete && naturalWidth > 0` before drawing). */
export function cachedImage(url: string): HTMLImageElement {
  let img = cache.get(url);
  if (!img) {
    img = new Image();
    img.addEventListener('load', () => onLoaded());
    img.addEventListener('error', () => onLoaded());
    img.src = url;
    cache.set(url, img);
    if (cache.size > 200) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }
  return img;
}

export function isDrawable(img: HTMLImageElement): boolean {
  return img.complete && img.naturalWidth > 0;
}
