/**
 * Fast Conv gradients for trainable weights (2-D, one group, no dilation, static sizes), built from ops the
 * CPU provider runs well. The generic forms (a ConvTranspose for dX, a batch↔channel-swapped Conv for dW)
 * are exact but run 10–100× below GEMM speed on small feature maps, which dominates weight training:
 *   dX = conv(ĝ, flip(W)ᵀ)   with ĝ = g with (stride − 1) zeros between rows and columns;
 *   dW[:, :, i, j] = gᵀ · x[:, :, i + s·y, j + s·x]   one GEMM per kernel offset (im2col by slices).
 * With frozen weights the generic ConvTranspose stays: it needs no flipped copy of every kernel.
 */
import type { RuleContext } from '../ruleContext';
import type { ConvParams } from '../../shapes/convParams';
import { allNumeric } from '../../shapes/symbolicDims';

const BIG = 2 ** 31 - 1;

/** Static sizes of a conv the fast forms apply to: input, output and kernel geometry. */
export interface GemmConvShape {
  readonly n: number;
  readonly channels: number;
  readonly h: number;
  readonly w: number;
  readonly out: number;
  readonly oh: number;
  readonly ow: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
}

/** The static sizes the fast forms need, or undefined when they do not apply. */
export function gemmConvShape(
  c: RuleContext,
  x: string,
  p: ConvParams,
  group: number,
): GemmConvShape | undefined {
  const xd = c.dims(x);
  const gd = c.dims(c.output(0));
  if (group !== 1 || !xd || !gd || xd.length !== 4 || !allNumeric(xd) || !allNumeric(gd)) return undefined;
  if (p.dilations.some((d) => d !== 1)) return undefined;
  const [n, channels, h, w] = xd as number[];
  const [, out, oh, ow] = gd as number[];
  const [kh, kw] = p.kernel as [number, number];
  const [sh, sw] = p.strides as [number, number];
  return { n: n!, channels: channels!, h: h!, w: w!, out: out!, oh: oh!, ow: ow!, kh, kw, sh, sw };
}

/** g with (s − 1) zeros inserted between elements along `axis` (3 = width, 2 = height). */
function dilate(
  c: RuleContext,
  g: string,
  dims: number[],
  axis: 2 | 3,
  s: number,
): { t: string; dims: number[] } {
  if (s === 1) return { t: g, dims };
  const withZeros = c.op(
    'Concat',
    [c.unsqueeze(g, [axis + 1]), ...Array(s - 1).fill(c.unsqueeze(c.zerosLike(g, c.floatType), [axis + 1]))],
    {
      axis: axis + 1,
    },
  );
  const merged = [...dims];
  merged[axis] = dims[axis]! * s;
  const flat = c.op('Reshape', [withZeros, c.ints(merged)]);
  const kept = (dims[axis]! - 1) * s + 1;
  merged[axis] = kept;
  return { t: c.op('Slice', [flat, c.ints([0]), c.ints([kept]), c.ints([axis])]), dims: merged };
}

/** dX of y = conv(x, w) as a stride-1 Conv of the dilated g with the flipped, channel-swapped kernel. */
export function gemmConvDataGrad(
  c: RuleContext,
  g: string,
  w: string,
  p: ConvParams,
  pads: number[],
  shape: GemmConvShape,
): string {
  const { kh, kw, sh, sw, out } = shape;
  let cur = { t: g, dims: [shape.n, out, shape.oh, shape.ow] };
  cur = dilate(c, cur.t, cur.dims, 3, sw);
  cur = dilate(c, cur.t, cur.dims, 2, sh);
  // rows of x the forward conv never reached (stride remainder) get zero gradient: extra end padding
  const extraH = shape.h + pads[0]! + pads[2]! - kh - (shape.oh - 1) * sh;
  const extraW = shape.w + pads[1]! + pads[3]! - kw - (shape.ow - 1) * sw;
  const flipped = c.op('Slice', [
    w,
    c.ints([-1, -1]),
    c.ints([-BIG, -BIG]),
    c.ints([2, 3]),
    c.ints([-1, -1]),
  ]);
  const kernel = c.transpose(flipped, [1, 0, 2, 3]);
  const convPads = [
    kh - 1 - pads[0]!,
    kw - 1 - pads[1]!,
    kh - 1 - pads[2]! + extraH,
    kw - 1 - pads[3]! + extraW,
  ];
  if (convPads.some((v) => v < 0)) c.fail('its pads exceed kernel − 1; the fast gradient does not apply');
  return c.op('Conv', [cur.t, kernel], { kernel_shape: [kh, kw], pads: convPads, strides: [1, 1] });
}

/** dW of y = conv(x, w): for each kernel offset one GEMM of gᵀ [M, N·oh·ow] with the shifted x [N·oh·ow, C]. */
export function gemmConvWeightGrad(
  c: RuleContext,
  x: string,
  g: string,
  p: ConvParams,
  pads: number[],
  shape: GemmConvShape,
): string {
  const { kh, kw, sh, sw, out } = shape;
  const rows = shape.n * shape.oh * shape.ow;
  const gT = c.op('Reshape', [c.transpose(g, [1, 0, 2, 3]), c.ints([out, rows])]);
  const padded = pads.some((v) => v !== 0)
    ? c.op('Pad', [x, c.ints([0, 0, pads[0]!, pads[1]!, 0, 0, pads[2]!, pads[3]!]), c.constant(0)])
    : x;
  const nhwc = c.transpose(padded, [0, 2, 3, 1]);
  const columns: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const window =
        kh === 1 && kw === 1 && sh === 1 && sw === 1 && pads.every((v) => v === 0)
          ? nhwc
          : c.op('Slice', [
              nhwc,
              c.ints([i, j]),
              c.ints([i + (shape.oh - 1) * sh + 1, j + (shape.ow - 1) * sw + 1]),
              c.ints([1, 2]),
              c.ints([sh, sw]),
            ]);
      const dw = c.op('MatMul', [gT, c.op('Reshape', [window, c.ints([rows, shape.channels])])]);
      columns.push(c.unsqueeze(dw, [2]));
    }
  }
  const stacked = columns.length === 1 ? columns[0]! : c.op('Concat', columns, { axis: 2 });
  return c.op('Reshape', [stacked, c.ints([out, shape.channels, kh, kw])]);
}
