/**
 * Every shape kind in the shared unit frame: rescaled to area π (the unit circle's) and centred on its
 * centroid, so a scene's `scale` means the same size for every kind and the oracle can read the scale
 * of any kind from the mask area. Measured once at load by integrating each raw test on a fine grid.
 */
import { SHAPE_KINDS, type ShapeKindDefinition, type ShapeName } from './shapeKinds';

/** A shape kind in the unit frame (y up, area π, centroid at the origin). */
export interface ShapeGeometry {
  readonly name: ShapeName;
  readonly named: boolean;
  /** Angle of rotational symmetry in degrees (360: none; 0: every angle). */
  readonly symmetry: number;
  /** Whether the unit-frame point (u, v) lies inside. */
  readonly inside: (u: number, v: number) => boolean;
  /** Largest distance of any point of the shape from its centroid. */
  readonly boundRadius: number;
  /** Points along the outline, flat [u0, v0, u1, v1, …], for extents under rotation. */
  readonly outline: Float64Array;
}

const GRID = 400;
const HALF_EXTENT = 1.5;

function measure({ name, named, symmetry, insideRaw }: ShapeKindDefinition): ShapeGeometry {
  const step = (2 * HALF_EXTENT) / GRID;
  const at = (i: number): number => -HALF_EXTENT + (i + 0.5) * step;
  const cells = new Uint8Array(GRID * GRID);
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  for (let j = 0; j < GRID; j++) {
    for (let i = 0; i < GRID; i++) {
      if (!insideRaw(at(i), at(j))) continue;
      cells[j * GRID + i] = 1;
      count++;
      sumX += at(i);
      sumY += at(j);
    }
  }
  const area = count * step * step;
  const centroidX = sumX / count;
  const centroidY = sumY / count;
  const scale = Math.sqrt(Math.PI / area);
  const outline: number[] = [];
  let boundRadius = 0;
  for (let j = 1; j < GRID - 1; j++) {
    for (let i = 1; i < GRID - 1; i++) {
      const k = j * GRID + i;
      if (!cells[k] || (cells[k - 1] && cells[k + 1] && cells[k - GRID] && cells[k + GRID])) continue;
      const u = (at(i) - centroidX) * scale;
      const v = (at(j) - centroidY) * scale;
      outline.push(u, v);
      boundRadius = Math.max(boundRadius, Math.hypot(u, v));
    }
  }
  return {
    name,
    named,
    symmetry,
    inside: (u, v) => insideRaw(u / scale + centroidX, v / scale + centroidY),
    boundRadius: boundRadius + step * scale,
    outline: Float64Array.from(outline),
  };
}

/** Unit-frame geometry of every kind, keyed by name. */
export const SHAPE_GEOMETRY: Readonly<Record<ShapeName, ShapeGeometry>> = Object.fromEntries(
  SHAPE_KINDS.map((kind) => [kind.name, measure(kind)]),
) as Record<ShapeName, ShapeGeometry>;

/** Screen-axis extent of a rotated shape in unit-frame lengths (x right, y down, relative to the centre). */
export interface ShapeExtent {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** Extent of `shape` turned `rotationDeg` degrees counter-clockwise on screen. */
export function rotatedExtent(shape: ShapeName, rotationDeg: number): ShapeExtent {
  const { outline } = SHAPE_GEOMETRY[shape];
  const theta = (rotationDeg * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  let left = Infinity;
  let right = -Infinity;
  let top = Infinity;
  let bottom = -Infinity;
  for (let k = 0; k < outline.length; k += 2) {
    const x = outline[k] * cos - outline[k + 1] * sin;
    const y = -(outline[k] * sin + outline[k + 1] * cos); // screen y points down
    left = Math.min(left, x);
    right = Math.max(right, x);
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
  }
  const pad = (2 * HALF_EXTENT) / GRID; // outline points are cell centres: allow a cell
  return { left: left - pad, right: right + pad, top: top - pad, bottom: bottom + pad };
}
