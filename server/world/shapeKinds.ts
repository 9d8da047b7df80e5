/**
 * The shape kinds of the world as one table. Each kind is an exact point-in-shape test in a raw frame
 * (y up, extent about [-1.3, 1.3]); `shapeGeometry.ts` rescales every kind to the same area and centres
 * it on its centroid. `named: false` marks the concept kind that generator captions never name.
 */

/** Names of every shape kind, in table order (the unnamed kind last). */
export const SHAPE_NAMES = ['circle', 'square', 'triangle', 'star', 'cross', 'heart', 'ring'] as const;

/** A shape kind name. */
export type ShapeName = (typeof SHAPE_NAMES)[number];

/** One shape kind: its name, whether captions may name it, and its raw point-in-shape test. */
export interface ShapeKindDefinition {
  readonly name: ShapeName;
  /** False for the concept kind: generator captions call it only "shape". */
  readonly named: boolean;
  /** Angle of its rotational symmetry in degrees (360: none; 0: every angle). */
  readonly symmetry: number;
  /** Whether the raw-frame point (x, y), y pointing up, lies inside the shape. */
  readonly insideRaw: (x: number, y: number) => boolean;
}

/** Even–odd point-in-polygon test over flat [x0, y0, x1, y1, …] vertices. */
function insidePolygon(vertices: readonly number[], x: number, y: number): boolean {
  let inside = false;
  const n = vertices.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = vertices[2 * i];
    const yi = vertices[2 * i + 1];
    const xj = vertices[2 * j];
    const yj = vertices[2 * j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Vertices of a regular star: `points` tips at radius 1 (first one straight up), notches at `inner`. */
function starVertices(points: number, inner: number): number[] {
  const vertices: number[] = [];
  for (let k = 0; k < 2 * points; k++) {
    const angle = Math.PI / 2 + (k * Math.PI) / points;
    const r = k % 2 === 0 ? 1 : inner;
    vertices.push(r * Math.cos(angle), r * Math.sin(angle));
  }
  return vertices;
}

const STAR = starVertices(5, 0.5);
const SQRT3 = Math.sqrt(3);
/** Inner radius of the ring as a fraction of its outer radius. */
export const RING_INNER_RATIO = 0.52;
/** Half-width of the cross's arms as a fraction of their half-length. */
const CROSS_ARM = 0.3;

/** Every shape kind. Add a kind here and everything else (scenes, captions, oracle) follows. */
export const SHAPE_KINDS: readonly ShapeKindDefinition[] = [
  { name: 'circle', named: true, symmetry: 0, insideRaw: (x, y) => x * x + y * y <= 1 },
  { name: 'square', named: true, symmetry: 90, insideRaw: (x, y) => Math.abs(x) <= 1 && Math.abs(y) <= 1 },
  // equilateral, one vertex up: (0, 1), (±√3/2, -1/2)
  {
    name: 'triangle',
    named: true,
    symmetry: 120,
    insideRaw: (x, y) => y >= -0.5 && y <= 1 - SQRT3 * Math.abs(x),
  },
  { name: 'star', named: true, symmetry: 72, insideRaw: (x, y) => insidePolygon(STAR, x, y) },
  {
    name: 'cross',
    named: true,
    symmetry: 90,
    insideRaw: (x, y) => {
      const ax = Math.abs(x);
      const ay = Math.abs(y);
      return (ax <= 1 && ay <= CROSS_ARM) || (ay <= 1 && ax <= CROSS_ARM);
    },
  },
  // the classic heart curve (x² + y² − 1)³ − x²y³ = 0: lobes up, point down
  {
    name: 'heart',
    named: true,
    symmetry: 360,
    insideRaw: (x, y) => {
      const q = x * x + y * y - 1;
      return q * q * q - x * x * y * y * y <= 0;
    },
  },
  {
    name: 'ring',
    named: false,
    symmetry: 0,
    insideRaw: (x, y) => {
      const r2 = x * x + y * y;
      return r2 <= 1 && r2 >= RING_INNER_RATIO * RING_INNER_RATIO;
    },
  },
];

/** Whether `value` is a shape kind name. */
export function isShapeName(value: string): value is ShapeName {
  return (SHAPE_NAMES as readonly string[]).includes(value);
}

/** Names of the kinds that captions may name (every kind but the concept). */
export const NAMED_SHAPES: readonly ShapeName[] = SHAPE_KINDS.filter((k) => k.named).map((k) => k.name);

/** Names of the kinds that generator captions never name (the concept). */
export const UNNAMED_SHAPES: readonly ShapeName[] = SHAPE_KINDS.filter((k) => !k.named).map((k) => k.name);
