/**
 * Second half of the oracle: which kind's rendered mask overlaps the observed mask best. Every kind has
 * area π·scale², so the scale follows from the mask area and the centre from its centroid; a small
 * rotation grid within the jitter range, then a greedy ±½ px / ±5 % / ±5° refinement, finds each kind's
 * best intersection-over-union. Templates are point-sampled at pixel centres, the same rule as the
 * observed mask's "coverage above one half".
 */
import { MAX_ROTATION_DEG } from './scene';
import { bitmapInside } from './shapeBitmaps';
import { SHAPE_GEOMETRY } from './shapeGeometry';
import { SHAPE_NAMES, type ShapeName } from './shapeKinds';
import type { ShapePlacement } from './renderScene';

/** A kind's best fit to a mask. */
export interface ShapeFit {
  readonly placement: ShapePlacement;
  readonly iou: number;
}

/** IoU of `mask` (with `area` ones) and the placed shape sampled at pixel centres. */
function placementIou(mask: Uint8Array, size: number, area: number, placement: ShapePlacement): number {
  const { boundRadius } = SHAPE_GEOMETRY[placement.shape];
  const inside = bitmapInside(placement.shape);
  const theta = (placement.rotation * Math.PI) / 180;
  const cos = Math.cos(theta) / placement.scale;
  const sin = Math.sin(theta) / placement.scale;
  const reach = boundRadius * placement.scale + 1;
  const x0 = Math.max(0, Math.floor(placement.cx - reach));
  const x1 = Math.min(size - 1, Math.ceil(placement.cx + reach));
  const y0 = Math.max(0, Math.floor(placement.cy - reach));
  const y1 = Math.min(size - 1, Math.ceil(placement.cy + reach));
  let template = 0;
  let overlap = 0;
  for (let py = y0; py <= y1; py++) {
    const dy = placement.cy - (py + 0.5); // screen → y up
    for (let px = x0; px <= x1; px++) {
      const dx = px + 0.5 - placement.cx;
      if (!inside(dx * cos + dy * sin, -dx * sin + dy * cos)) continue;
      template++;
      overlap += mask[py * size + px];
    }
  }
  return overlap / (area + template - overlap);
}

/** How many of the best coarse kinds get refined, and how many hill-climb rounds each. */
const REFINED_KINDS = 3;
const REFINE_ROUNDS = 3;

const ROTATIONS = [-MAX_ROTATION_DEG, -MAX_ROTATION_DEG / 2, 0, MAX_ROTATION_DEG / 2, MAX_ROTATION_DEG];

/** Best of `shape` at the area-implied scale and the centroid, over the rotation grid. */
function coarseFit(
  mask: Uint8Array,
  size: number,
  area: number,
  cx: number,
  cy: number,
  shape: ShapeName,
): ShapeFit {
  const scale = Math.sqrt(area / Math.PI);
  let best: ShapeFit = { placement: { shape, cx, cy, scale, rotation: 0 }, iou: -1 };
  for (const rotation of SHAPE_GEOMETRY[shape].symmetry !== 0 ? ROTATIONS : [0]) {
    const placement = { shape, cx, cy, scale, rotation };
    const iou = placementIou(mask, size, area, placement);
    if (iou > best.iou) best = { placement, iou };
  }
  return best;
}

/** Greedy hill-climb from `start`: ±½ px in x and y, ±5 % scale, ±5° rotation, a few rounds. */
function refineFit(mask: Uint8Array, size: number, area: number, start: ShapeFit): ShapeFit {
  const rotates = SHAPE_GEOMETRY[start.placement.shape].symmetry !== 0;
  let best = start;
  for (let round = 0; round < REFINE_ROUNDS; round++) {
    const p = best.placement;
    const moves: ShapePlacement[] = [
      { ...p, cx: p.cx - 0.5 },
      { ...p, cx: p.cx + 0.5 },
      { ...p, cy: p.cy - 0.5 },
      { ...p, cy: p.cy + 0.5 },
      { ...p, scale: p.scale * 0.95 },
      { ...p, scale: p.scale * 1.05 },
      ...(rotates
        ? [
            { ...p, rotation: p.rotation - 5 },
            { ...p, rotation: p.rotation + 5 },
          ]
        : []),
    ];
    let improved = false;
    for (const placement of moves) {
      const iou = placementIou(mask, size, area, placement);
      if (iou > best.iou) {
        best = { placement, iou };
        improved = true;
      }
    }
    if (!improved) break;
  }
  return best;
}

/**
 * Every kind's fit to a non-empty `size`×`size` mask of 0/1 values: all kinds on the coarse grid, then
 * the REFINED_KINDS best of them refined (the others keep their coarse IoU, a lower bound).
 */
export function fitAllShapes(mask: Uint8Array, size: number): Record<ShapeName, ShapeFit> {
  let area = 0;
  let sumX = 0;
  let sumY = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    area++;
    sumX += (i % size) + 0.5;
    sumY += Math.floor(i / size) + 0.5;
  }
  if (area === 0) throw new Error('fitAllShapes() got an empty mask; check for a foreground first');
  const fits = {} as Record<ShapeName, ShapeFit>;
  for (const shape of SHAPE_NAMES) fits[shape] = coarseFit(mask, size, area, sumX / area, sumY / area, shape);
  const leaders = [...SHAPE_NAMES].sort((a, b) => fits[b].iou - fits[a].iou).slice(0, REFINED_KINDS);
  for (const shape of leaders) fits[shape] = refineFit(mask, size, area, fits[shape]);
  return fits;
}
