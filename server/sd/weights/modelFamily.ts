/**
 * SD 1.x vs SD 2.x, decided from what the model files say — never from a user flag. The text encoder is the
 * decisive part: SD 1.x uses OpenAI CLIP ViT-L (quick_gelu, width 768), SD 2.x the OpenCLIP ViT-H text tower
 * (exact gelu, width 1024). Families differ in the tokenizer's pad token and the single-file key layout; the
 * graphs themselves follow the configs.
 */
import type { ClipTextConfig } from './clipConfigs';
import type { UNetConfig } from './diffusersConfigs';

export type ModelFamily = 'sd1' | 'sd2';

/** A family and the observations it rests on (shown in logs and errors). */
export interface FamilyDecision {
  readonly family: ModelFamily;
  readonly reasons: readonly string[];
}

/** Prefix of the SD 2.x OpenCLIP text tower in single-file checkpoints. */
export const OPENCLIP_PREFIX = 'cond_stage_model.model.';
/** Prefix of the SD 1.x OpenAI CLIP text model in single-file checkpoints. */
export const OPENAI_CLIP_PREFIX = 'cond_stage_model.transformer.';

/** Decides the family of a diffusers-layout model from its text encoder (and UNet) configs. */
export function familyFromConfigs(text: ClipTextConfig, unet?: UNetConfig): FamilyDecision {
  const reasons: string[] = [];
  let family: ModelFamily | undefined;
  if (text.hidden_act === 'gelu') {
    family = 'sd2';
    reasons.push('text encoder hidden_act "gelu" (OpenCLIP)');
  } else if (text.hidden_act === 'quick_gelu') {
    family = 'sd1';
    reasons.push('text encoder hidden_act "quick_gelu" (OpenAI CLIP)');
  } else if (text.hidden_size === 1024 || text.hidden_size === 768) {
    family = text.hidden_size === 1024 ? 'sd2' : 'sd1';
    reasons.push(`text encoder hidden_size ${text.hidden_size}`);
  } else if (unet) {
    family = unet.use_linear_projection ? 'sd2' : 'sd1';
    reasons.push(`UNet use_linear_projection ${unet.use_linear_projection}`);
  }
  if (!family) {
    throw new Error(
      `cannot tell SD 1.x from SD 2.x: text encoder hidden_act "${text.hidden_act}" is neither "quick_gelu" (SD 1.x) nor "gelu" (SD 2.x); fix text_encoder/config.json`,
    );
  }
  if (unet && unet.use_linear_projection !== (family === 'sd2')) {
    reasons.push(`note: UNet use_linear_projection ${unet.use_linear_projection} is unusual for ${family}`);
  }
  return { family, reasons };
}

/** Decides the family of a single-file (ldm layout) checkpoint from its text-encoder key prefix. */
export function familyFromLdmKeys(names: Iterable<string>): FamilyDecision {
  let openClip = false;
  let openAi = false;
  let sdxl = false;
  for (const name of names) {
    if (name.startsWith(OPENCLIP_PREFIX)) openClip = true;
    else if (name.startsWith(OPENAI_CLIP_PREFIX)) openAi = true;
    else if (name.startsWith('conditioner.embedders.')) sdxl = true;
  }
  if (sdxl)
    throw new Error(
      'this is an SDXL checkpoint (conditioner.embedders.* keys); only SD 1.x and 2.x checkpoints are supported',
    );
  if (openClip && !openAi)
    return { family: 'sd2', reasons: [`text encoder keys under "${OPENCLIP_PREFIX}" (OpenCLIP)`] };
  if (openAi && !openClip)
    return { family: 'sd1', reasons: [`text encoder keys under "${OPENAI_CLIP_PREFIX}" (OpenAI CLIP)`] };
  throw new Error(
    openClip
      ? `checkpoint holds both "${OPENCLIP_PREFIX}*" and "${OPENAI_CLIP_PREFIX}*" text encoders; SDXL and mixed checkpoints are not supported`
      : `checkpoint has no text encoder (no "${OPENAI_CLIP_PREFIX}*" or "${OPENCLIP_PREFIX}*" keys); it is not an SD 1.x/2.x single-file checkpoint`,
  );
}

/** The tokenizer's pad token for a family: EOS for SD 1.x, "!" (id 0) for SD 2.x's OpenCLIP tokenizer. */
export function defaultPadToken(family: ModelFamily): string {
  return family === 'sd2' ? '!' : '<|endoftext|>';
}
