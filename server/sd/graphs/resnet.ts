/**
 * diffusers building blocks shared by the UNet and the VAE: ResnetBlock2D, Downsample2D and Upsample2D.
 */
import {
  activation,
  conv2d,
  groupNorm,
  ints,
  linear,
  scalar,
  sharedConstant,
  type ModelBuild,
} from './layers';

export interface ResnetSpec {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly eps: number;
  /** Config `act_fn`, e.g. "silu". */
  readonly act: string;
  /** The activated time embedding act(temb) [B, tembChannels] (UNet only) and its width. */
  readonly temb?: { readonly tensor: string; readonly channels: number };
  /** Output divisor (`output_scale_factor`, 1 for SD). */
  readonly outputScale?: number;
}

/** ResnetBlock2D: two GroupNorm → act → conv stages, the time embedding added between, and a shortcut. */
export function resnetBlock(b: ModelBuild, x: string, key: string, spec: ResnetSpec): string {
  const g = b.g;
  let h = activation(g, groupNorm(b, x, `${key}.norm1`, spec.inChannels, spec.groups, spec.eps), spec.act);
  h = conv2d(b, h, `${key}.conv1`, spec.inChannels, spec.outChannels);
  if (spec.temb) {
    const t = linear(b, spec.temb.tensor, `${key}.time_emb_proj`, spec.temb.channels, spec.outChannels);
    h = g.op('Add', [h, g.op('Reshape', [t, ints(g, [0, spec.outChannels, 1, 1])])]);
  }
  h = activation(g, groupNorm(b, h, `${key}.norm2`, spec.outChannels, spec.groups, spec.eps), spec.act);
  h = conv2d(b, h, `${key}.conv2`, spec.outChannels, spec.outChannels);
  const shortcut =
    spec.inChannels === spec.outChannels
      ? x
      : conv2d(b, x, `${key}.conv_shortcut`, spec.inChannels, spec.outChannels, { kernel: 1 });
  const sum = g.op('Add', [shortcut, h]);
  const scale = spec.outputScale ?? 1;
  return scale === 1 ? sum : g.op('Div', [sum, scalar(g, scale)]);
}

/**
 * Downsample2D with a conv: stride 2 with symmetric `padding` (UNet), or with padding 0 the VAE's
 * asymmetric pad of one row/column at the bottom/right first.
 */
export function downsample(b: ModelBuild, x: string, key: string, channels: number, padding: number): string {
  const g = b.g;
  if (padding !== 0) return conv2d(b, x, `${key}.conv`, channels, channels, { stride: 2, padding });
  const padded = g.op('Pad', [x, ints(g, [0, 0, 0, 0, 0, 0, 1, 1])], { mode: 'constant' });
  return conv2d(b, padded, `${key}.conv`, channels, channels, { stride: 2, padding: 0 });
}

/** Upsample2D: nearest-neighbour 2x (torch `F.interpolate(scale_factor=2)`), then a 3x3 conv. */
export function upsample(b: ModelBuild, x: string, key: string, channels: number): string {
  const g = b.g;
  const scales = sharedConstant(g, 'up_scales', () => g.constant([1, 1, 2, 2], [4], 'float32', 'up_scales'));
  const up = g.op('Resize', [x, '', scales], {
    mode: 'nearest',
    coordinate_transformation_mode: 'asymmetric',
    nearest_mode: 'floor',
  });
  return conv2d(b, up, `${key}.conv`, channels, channels);
}
