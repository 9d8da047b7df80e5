/**
 * The Resize gradient. Resize is linear and separable: along each resized axis y = M·x for an [out, in]
 * interpolation matrix built from the ONNX coordinate rules, so dx = Mᵀ·g. Nearest upsampling by whole
 * factors (torch's F.interpolate) maps each output to block floor(o/s); its gradient is a block sum, one
 * AveragePool times the block size, which works for run-time spatial sizes.
 */
import type { GradientTable } from './types';

interface Coordinates {
  readonly transform: string;
  readonly mode: string;
  readonly nearestMode: string;
}

/** Source coordinate of output index o (ONNX Resize, coordinate_transformation_mode). */
function sourceCoordinate(t: Coordinates, o: number, scale: number, inLen: number, outLen: number): number {
  switch (t.transform) {
    case 'half_pixel':
      return (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return outLen > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return outLen === 1 ? 0 : (o * (inLen - 1)) / (outLen - 1);
    case 'asymmetric':
      return o / scale;
    case 'tf_half_pixel_for_nn':
      return (o + 0.5) / scale;
    default:
      throw new Error(`coordinate_transformation_mode "${t.transform}" is not supported`);
  }
}

function nearestIndex(t: Coordinates, x: number, inLen: number): number {
  let i: number;
  switch (t.nearestMode) {
    case 'floor':
      i = Math.floor(x);
      break;
    case 'ceil':
      i = Math.ceil(x);
      break;
    case 'round_prefer_ceil':
      i = Math.round(x);
      break;
    default:
      i = x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x);
  }
  return Math.min(Math.max(i, 0), inLen - 1);
}

/** The [out, in] interpolation matrix of one axis, row-major. */
function interpolationMatrix(t: Coordinates, inLen: number, outLen: number, scale: number): number[] {
  const m = new Array<number>(outLen * inLen).fill(0);
  for (let o = 0; o < outLen; o++) {
    const x = sourceCoordinate(t, o, scale, inLen, outLen);
    if (t.mode === 'nearest') {
      m[o * inLen + nearestIndex(t, x, inLen)] = 1;
    } else {
      const xc = Math.min(Math.max(x, 0), inLen - 1);
      const i0 = Math.floor(xc);
      const i1 = Math.min(i0 + 1, inLen - 1);
      const w = xc - i0;
      m[o * inLen + i0]! += 1 - w;
      m[o * inLen + i1]! += w;
    }
  }
  return m;
}

/** Whether nearest resizing by whole factor s sends output o to input floor(o/s) (checked over 3 periods). */
function isBlockUpsample(t: Coordinates, s: number): boolean {
  if (t.mode !== 'nearest' || !Number.isInteger(s) || s < 1 || t.transform === 'align_corners') return false;
  const inLen = 1000;
  for (let o = 0; o < 3 * s; o++) {
    if (nearestIndex(t, sourceCoordinate(t, o, s, inLen, inLen * s), inLen) !== Math.floor(o / s))
      return false;
  }
  return true;
}

export const resizeRules = {
  Resize: {
    inputs: [0],
    backward(c) {
      const [x, y] = [c.input(0), c.output(0)];
      const xd = c.dims(x) ?? c.fail('the rank of its input is unknown');
      const yd = c.dims(y) ?? c.fail('the rank of its output is unknown');
      if (c.attrInt('antialias', 0)) c.fail('antialias is not supported');
      if (c.attrInts('axes')) c.fail('the axes attribute is not supported');
      const t: Coordinates = {
        transform: c.attrString(
          'coordinate_transformation_mode',
          c.opset >= 11 ? 'half_pixel' : 'asymmetric',
        ),
        mode: c.attrString('mode', 'nearest'),
        nearestMode: c.attrString('nearest_mode', 'round_prefer_floor'),
      };
      if (t.mode !== 'nearest' && t.mode !== 'linear')
        c.fail(`mode "${t.mode}" is not supported (nearest, linear)`);
      const givenScales = c.constNumbers(c.opset >= 11 ? 2 : 1);
      const scales = givenScales && givenScales.length > 0 ? givenScales : undefined;
      const rank = xd.length;
      const resized = xd
        .map((d, i) => (scales ? scales[i] !== 1 : d !== yd[i]))
        .flatMap((r, i) => (r ? [i] : []));
      const g = c.grad();
      if (resized.length === 0) return [g];

      if (scales && resized.every((a) => a >= 2 && isBlockUpsample(t, scales[a]!))) {
        const kernel = xd.slice(2).map((_, i) => scales[i + 2]!);
        const pooled = c.op('AveragePool', [g], { kernel_shape: kernel, strides: kernel });
        return [c.op('Mul', [pooled, c.constant(kernel.reduce((p, k) => p * k, 1))])];
      }

      let cur = g;
      for (const a of [...resized].reverse()) {
        const inLen = xd[a];
        const outLen = yd[a];
        if (typeof inLen !== 'number' || typeof outLen !== 'number') {
          return c.fail('this interpolation needs static sizes on the resized axes; pass inputShapes to vjp');
        }
        const scale = scales ? scales[a]! : outLen / inLen;
        const m = interpolationMatrix(t, inLen, outLen, scale);
        if (a === rank - 1) {
          cur = c.op('MatMul', [cur, c.constant(m, [outLen, inLen])]); // g[…, out]·M = dx[…, in]
        } else {
          const mt = Array.from(
            { length: inLen * outLen },
            (_, k) => m[(k % outLen) * inLen + Math.floor(k / outLen)]!,
          );
          if (a === rank - 2) {
            cur = c.op('MatMul', [c.constant(mt, [inLen, outLen]), cur]); // Mᵀ[in, out]·g[…, out, W]
          } else {
            const perm = [...Array(rank).keys()];
            [perm[a], perm[rank - 2]] = [perm[rank - 2]!, perm[a]!];
            cur = c.transpose(
              c.op('MatMul', [c.constant(mt, [inLen, outLen]), c.transpose(cur, perm)]),
              perm,
            );
          }
        }
      }
      return [cur];
    },
  },
} satisfies GradientTable;
