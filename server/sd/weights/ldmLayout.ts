/**
 * The block structure of a single-file (CompVis/Stability ldm layout) checkpoint, read from its key names:
 * how many resolution levels the UNet and VAE have, how many ResNets per level, which levels carry
 * attention, and how many OpenCLIP blocks the SD 2.x text tower holds. The key map and the config inference
 * are generated from this, so any `layers_per_block` or level count maps without hard-coded indices.
 */
import type { ModelFamily } from './modelFamily';
import { OPENAI_CLIP_PREFIX, OPENCLIP_PREFIX } from './modelFamily';

export const UNET_PREFIX = 'model.diffusion_model.';
export const VAE_PREFIX = 'first_stage_model.';

/** UNet structure (levels listed from the highest resolution down, as diffusers' down_blocks). */
export interface UnetLayout {
  /** ResNets per level in the down path (the up path has one more per level). */
  readonly layersPerBlock: readonly number[];
  /** Whether each down level has spatial transformers (CrossAttnDownBlock2D). */
  readonly downAttention: readonly boolean[];
  /** Whether each up block (diffusers up_blocks order: lowest resolution first) has transformers. */
  readonly upAttention: readonly boolean[];
  readonly midAttention: boolean;
}

/** VAE structure. */
export interface VaeLayout {
  readonly levels: number;
  /** ResNets per encoder level (decoder levels have one more). */
  readonly layersPerBlock: number;
}

/** The whole checkpoint's structure. */
export interface LdmLayout {
  readonly family: ModelFamily;
  readonly unet: UnetLayout;
  readonly vae: VaeLayout;
  /** SD 2.x: resblocks in the OpenCLIP tower (the last is unused); SD 1.x: encoder layers. */
  readonly textLayers: number;
}

/** Distinct integer values of the path segment right after `prefix` among names starting with it. */
function indicesAfter(names: readonly string[], prefix: string): number[] {
  const found = new Set<number>();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const segment = name.slice(prefix.length).split('.')[0]!;
    if (/^\d+$/.test(segment)) found.add(Number(segment));
  }
  return [...found].sort((a, b) => a - b);
}

function contiguous(indices: readonly number[], what: string): number {
  indices.forEach((v, i) => {
    if (v !== i)
      throw new Error(`checkpoint ${what} are not numbered 0..${indices.length - 1} (missing index ${i})`);
  });
  return indices.length;
}

/** Reads the UNet structure from `model.diffusion_model.*` names. */
export function unetLayoutFromNames(names: readonly string[]): UnetLayout {
  const p = `${UNET_PREFIX}input_blocks.`;
  const inputs = indicesAfter(names, p);
  if (inputs.length === 0) throw new Error(`checkpoint has no UNet (no "${p}*" keys)`);
  const count = contiguous(inputs, 'UNet input_blocks');
  const isDownsample = (n: number) => names.some((k) => k.startsWith(`${p}${n}.0.op.`));
  const layersPerBlock: number[] = [];
  const downAttention: boolean[] = [];
  let current = 0;
  let attention = false;
  for (let n = 1; n < count; n++) {
    if (isDownsample(n)) {
      layersPerBlock.push(current);
      downAttention.push(attention);
      current = 0;
      attention = false;
    } else {
      current++;
      attention ||= names.some((k) => k.startsWith(`${p}${n}.1.`));
    }
  }
  layersPerBlock.push(current);
  downAttention.push(attention);
  const q = `${UNET_PREFIX}output_blocks.`;
  const outputs = contiguous(indicesAfter(names, q), 'UNet output_blocks');
  const expectedOutputs = layersPerBlock.reduce((a, l) => a + l + 1, 0);
  if (outputs !== expectedOutputs) {
    throw new Error(
      `checkpoint UNet has ${outputs} output_blocks but its input_blocks imply ${expectedOutputs} (layers per level ${layersPerBlock.join(', ')}); the checkpoint is incomplete or not an SD UNet`,
    );
  }
  const upAttention: boolean[] = [];
  let m = 0;
  for (const lpb of [...layersPerBlock].reverse()) {
    let any = false;
    for (let j = 0; j <= lpb; j++, m++) {
      // an upsampler without transformers sits at sub-index 1 and holds only conv.*
      any ||= names.some((k) => k.startsWith(`${q}${m}.1.`) && !k.startsWith(`${q}${m}.1.conv.`));
    }
    upAttention.push(any);
  }
  const midAttention = names.some((k) => k.startsWith(`${UNET_PREFIX}middle_block.1.`));
  return { layersPerBlock, downAttention, upAttention, midAttention };
}

/** Reads the VAE structure from `first_stage_model.*` names. */
export function vaeLayoutFromNames(names: readonly string[]): VaeLayout {
  const levels = contiguous(indicesAfter(names, `${VAE_PREFIX}encoder.down.`), 'VAE encoder.down levels');
  if (levels === 0) throw new Error(`checkpoint has no VAE (no "${VAE_PREFIX}encoder.down.*" keys)`);
  const layersPerBlock = contiguous(
    indicesAfter(names, `${VAE_PREFIX}encoder.down.0.block.`),
    'VAE encoder blocks',
  );
  return { levels, layersPerBlock };
}

/** Number of text-encoder layers (SD 2.x: OpenCLIP resblocks, including the unused last one). */
export function textLayersFromNames(names: readonly string[], family: ModelFamily): number {
  const prefix =
    family === 'sd2'
      ? `${OPENCLIP_PREFIX}transformer.resblocks.`
      : names.some((k) => k.startsWith(`${OPENAI_CLIP_PREFIX}text_model.`))
        ? `${OPENAI_CLIP_PREFIX}text_model.encoder.layers.`
        : `${OPENAI_CLIP_PREFIX}encoder.layers.`;
  const layers = contiguous(indicesAfter(names, prefix), 'text encoder layers');
  if (layers < (family === 'sd2' ? 2 : 1))
    throw new Error(`checkpoint text encoder has ${layers} layers under "${prefix}"`);
  return layers;
}

/** The full structure of an ldm-layout checkpoint of the given family. */
export function ldmLayoutFromNames(names: readonly string[], family: ModelFamily): LdmLayout {
  return {
    family,
    unet: unetLayoutFromNames(names),
    vae: vaeLayoutFromNames(names),
    textLayers: textLayersFromNames(names, family),
  };
}
