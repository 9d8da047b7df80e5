/**
 * Rasterises a scene: each pixel's shape coverage is the fraction of a 4×4 grid of sample points inside
 * the exact shape (anti-aliasing by supersampling), and its colour is background and shape colour mixed
 * by that coverage.
 */
import { PALETTE } from './palette';
import type { Scene } from './scene';
import { SHAPE_GEOMETRY } from './shapeGeometry';
import type { ShapeName } from './shapeKinds';

/** A rendered scene: RGB in [0, 1] (HWC, length size·size·3) and shape coverage (length size·size). */
export interface RenderedImage {
  readonly size: number;
  readonly rgb: Float32Array;
  readonly mask: Float32Array;
}

/** Where a shape lies on a `size`×`size` pixel grid; centre in pixels, scale in pixels, rotation in degrees. */
export interface ShapePlacement {
  readonly shape: ShapeName;
  readonly cx: number;
  readonly cy: number;
  readonly scale: number;
  readonly rotation: number;
}

/**
 * Coverage of a placed shape on a `size`×`size` grid, sampled at `samples`×`samples` points per pixel
 * (1 sample: pixel centres, what the oracle's templates use).
 */
export function shapeCoverage(placement: ShapePlacement, size: number, samples = 4): Float32Array {
  const { inside, boundRadius } = SHAPE_GEOMETRY[placement.shape];
  const coverage = new Float32Array(size * size);
  const theta = (placement.rotation * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const reach = boundRadius * placement.scale + 1;
  const x0 = Math.max(0, Math.floor(placement.cx - reach));
  const x1 = Math.min(size - 1, Math.ceil(placement.cx + reach));
  const y0 = Math.max(0, Math.floor(placement.cy - reach));
  const y1 = Math.min(size - 1, Math.ceil(placement.cy + reach));
  const weight = 1 / (samples * samples);
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        // screen → unit frame: flip y up, then undo the counter-clockwise rotation
        const dy = -(py + (sy + 0.5) / samples - placement.cy) / placement.scale;
        for (let sx = 0; sx < samples; sx++) {
          const dx = (px + (sx + 0.5) / samples - placement.cx) / placement.scale;
          if (inside(dx * cos + dy * sin, -dx * sin + dy * cos)) hits++;
        }
      }
      coverage[py * size + px] = hits * weight;
    }
  }
  return coverage;
}

/** Renders `scene` at `size`×`size` pixels (default 32). */
export function renderScene(scene: Scene, size = 32): RenderedImage {
  if (!Number.isInteger(size) || size < 8) {
    throw new Error(`image size ${size} is not supported; pass a whole number of pixels ≥ 8 (default 32)`);
  }
  const mask = shapeCoverage(
    {
      shape: scene.shape,
      cx: scene.cx * size,
      cy: scene.cy * size,
      scale: scene.scale * size,
      rotation: scene.rotation,
    },
    size,
  );
  const fg = PALETTE[scene.colour];
  const bg = PALETTE[scene.background];
  const rgb = new Float32Array(size * size * 3);
  for (let i = 0; i < mask.length; i++) {
    const m = mask[i];
    for (let c = 0; c < 3; c++) rgb[3 * i + c] = bg[c] + (fg[c] - bg[c]) * m;
  }
  return { size, rgb, mask };
}
