/**
 * Precomputed templates for the oracle: each kind's unit-frame inside test sampled once on a 256×256
 * grid, so matching a mask costs a table lookup per pixel instead of an exact polygon or curve test.
 * (Renders keep the exact test; at a 10 px scale a cell is about 0.13 px.)
 */
import { SHAPE_GEOMETRY } from './shapeGeometry';
import type { ShapeName } from './shapeKinds';

const CELLS = 256;
const HALF_EXTENT = 1.6;
const STEP = (2 * HALF_EXTENT) / CELLS;

function buildBitmap(shape: ShapeName): Uint8Array {
  const { inside } = SHAPE_GEOMETRY[shape];
  const bitmap = new Uint8Array(CELLS * CELLS);
  for (let j = 0; j < CELLS; j++) {
    const v = -HALF_EXTENT + (j + 0.5) * STEP;
    for (let i = 0; i < CELLS; i++)
      bitmap[j * CELLS + i] = inside(-HALF_EXTENT + (i + 0.5) * STEP, v) ? 1 : 0;
  }
  return bitmap;
}

const bitmaps = new Map<ShapeName, Uint8Array>();

/** Point-in-shape by table lookup for `shape` (unit frame, y up; outside the table is outside). */
export function bitmapInside(shape: ShapeName): (u: number, v: number) => boolean {
  let bitmap = bitmaps.get(shape);
  if (!bitmap) {
    bitmap = buildBitmap(shape);
    bitmaps.set(shape, bitmap);
  }
  const table = bitmap;
  return (u, v) => {
    const i = Math.floor((u + HALF_EXTENT) / STEP);
    const j = Math.floor((v + HALF_EXTENT) / STEP);
    return i >= 0 && j >= 0 && i < CELLS && j < CELLS && table[j * CELLS + i] === 1;
  };
}
