/**
 * The ldm ↔ diffusers key map of SD 1.x / 2.x single-file checkpoints, generated from the block structure.
 * It is a table of module pairs (`model.diffusion_model.input_blocks.1.0` ↔ `down_blocks.0.resnets.0`) plus
 * a rename table per module kind for the names inside (`in_layers.0` ↔ `norm1`), so one table serves both
 * directions. SD 2.x's OpenCLIP tower adds fused q/k/v (`attn.in_proj_*`, split by rows) and the unused
 * last block, `text_projection` and `logit_scale` (ignored).
 */
import type { LdmLayout } from './ldmLayout';
import { UNET_PREFIX, VAE_PREFIX } from './ldmLayout';
import { OPENAI_CLIP_PREFIX, OPENCLIP_PREFIX } from './modelFamily';

export type Component = 'unet' | 'vae' | 'text_encoder';

type Kind = 'same' | 'unetResnet' | 'vaeResnet' | 'vaeAttention' | 'openClipBlock';

/** Renames inside a module, ldm name first. Longest match wins. */
const RENAMES: Record<Kind, ReadonlyArray<readonly [string, string]>> = {
  same: [],
  unetResnet: [
    ['in_layers.0', 'norm1'],
    ['in_layers.2', 'conv1'],
    ['emb_layers.1', 'time_emb_proj'],
    ['out_layers.0', 'norm2'],
    ['out_layers.3', 'conv2'],
    ['skip_connection', 'conv_shortcut'],
  ],
  vaeResnet: [['nin_shortcut', 'conv_shortcut']],
  vaeAttention: [
    ['norm', 'group_norm'],
    ['q', 'to_q'],
    ['k', 'to_k'],
    ['v', 'to_v'],
    ['proj_out', 'to_out.0'],
  ],
  openClipBlock: [
    ['ln_1', 'layer_norm1'],
    ['ln_2', 'layer_norm2'],
    ['attn.out_proj', 'self_attn.out_proj'],
    ['mlp.c_fc', 'mlp.fc1'],
    ['mlp.c_proj', 'mlp.fc2'],
  ],
};

const FUSED_QKV = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj'] as const;

interface ModulePair {
  readonly ldm: string;
  readonly component: Component;
  readonly diffusers: string;
  readonly kind: Kind;
  /** An exact tensor name rather than a module prefix (OpenCLIP's `positional_embedding`). */
  readonly exact?: boolean;
  /** Old spellings that are read but never written. */
  readonly readOnly?: boolean;
}

/** Where one ldm tensor goes in diffusers layout. */
export interface DiffusersTarget {
  readonly component: Component;
  readonly key: string;
  /** Row block `index` of `of` equal blocks (fused q/k/v); absent for a whole tensor. */
  readonly part?: { readonly index: number; readonly of: number };
  /** Drop trailing 1×1 dims (VAE attention stored as 1×1 convs, Linear in diffusers). */
  readonly squeeze?: boolean;
}

/** An ldm key the diffusers model does not use. */
export const IGNORED = 'ignored' as const;

/** Keys of full training checkpoints that are not model weights (EMA copies, schedule buffers, losses). */
const NON_MODEL_KEYS: readonly RegExp[] = [
  /^model_ema\./,
  /^(betas|alphas_cumprod|alphas_cumprod_prev|sqrt_alphas_cumprod|sqrt_one_minus_alphas_cumprod|log_one_minus_alphas_cumprod|sqrt_recip_alphas_cumprod|sqrt_recipm1_alphas_cumprod|posterior_variance|posterior_log_variance_clipped|posterior_mean_coef1|posterior_mean_coef2|logvar|lvlb_weights)$/,
  /^first_stage_model\.loss\./,
  /^cond_stage_model\..*position_ids$/,
];

function unetPairs(layout: LdmLayout): ModulePair[] {
  const { layersPerBlock: lpb, downAttention, upAttention, midAttention } = layout.unet;
  const pairs: ModulePair[] = [];
  const pair = (ldm: string, diffusers: string, kind: Kind = 'same') =>
    pairs.push({ ldm: UNET_PREFIX + ldm, component: 'unet', diffusers, kind });
  pair('time_embed.0', 'time_embedding.linear_1');
  pair('time_embed.2', 'time_embedding.linear_2');
  pair('input_blocks.0.0', 'conv_in');
  const levels = lpb.length;
  let n = 1;
  for (let i = 0; i < levels; i++) {
    for (let j = 0; j < lpb[i]!; j++, n++) {
      pair(`input_blocks.${n}.0`, `down_blocks.${i}.resnets.${j}`, 'unetResnet');
      if (downAttention[i]) pair(`input_blocks.${n}.1`, `down_blocks.${i}.attentions.${j}`);
    }
    if (i < levels - 1) pair(`input_blocks.${n++}.0.op`, `down_blocks.${i}.downsamplers.0.conv`);
  }
  pair('middle_block.0', 'mid_block.resnets.0', 'unetResnet');
  if (midAttention) pair('middle_block.1', 'mid_block.attentions.0');
  pair(midAttention ? 'middle_block.2' : 'middle_block.1', 'mid_block.resnets.1', 'unetResnet');
  let m = 0;
  for (let i = 0; i < levels; i++) {
    const layers = lpb[levels - 1 - i]! + 1;
    for (let j = 0; j < layers; j++, m++) {
      pair(`output_blocks.${m}.0`, `up_blocks.${i}.resnets.${j}`, 'unetResnet');
      if (upAttention[i]) pair(`output_blocks.${m}.1`, `up_blocks.${i}.attentions.${j}`);
      if (j === layers - 1 && i < levels - 1) {
        pair(`output_blocks.${m}.${upAttention[i] ? 2 : 1}.conv`, `up_blocks.${i}.upsamplers.0.conv`);
      }
    }
  }
  pair('out.0', 'conv_norm_out');
  pair('out.2', 'conv_out');
  return pairs;
}

function vaePairs(layout: LdmLayout): ModulePair[] {
  const { levels, layersPerBlock } = layout.vae;
  const pairs: ModulePair[] = [];
  const pair = (ldm: string, diffusers: string, kind: Kind = 'same') =>
    pairs.push({ ldm: VAE_PREFIX + ldm, component: 'vae', diffusers, kind });
  for (const part of ['encoder', 'decoder'] as const) {
    pair(`${part}.conv_in`, `${part}.conv_in`);
    pair(`${part}.conv_out`, `${part}.conv_out`);
    pair(`${part}.norm_out`, `${part}.conv_norm_out`);
    pair(`${part}.mid.block_1`, `${part}.mid_block.resnets.0`, 'vaeResnet');
    pair(`${part}.mid.attn_1`, `${part}.mid_block.attentions.0`, 'vaeAttention');
    pair(`${part}.mid.block_2`, `${part}.mid_block.resnets.1`, 'vaeResnet');
  }
  for (let i = 0; i < levels; i++) {
    for (let j = 0; j < layersPerBlock; j++) {
      pair(`encoder.down.${i}.block.${j}`, `encoder.down_blocks.${i}.resnets.${j}`, 'vaeResnet');
    }
    if (i < levels - 1) pair(`encoder.down.${i}.downsample`, `encoder.down_blocks.${i}.downsamplers.0`);
    // ldm numbers decoder levels from the highest resolution, diffusers from the lowest
    const up = levels - 1 - i;
    for (let j = 0; j <= layersPerBlock; j++) {
      pair(`decoder.up.${i}.block.${j}`, `decoder.up_blocks.${up}.resnets.${j}`, 'vaeResnet');
    }
    if (i > 0) pair(`decoder.up.${i}.upsample`, `decoder.up_blocks.${up}.upsamplers.0`);
  }
  pair('quant_conv', 'quant_conv');
  pair('post_quant_conv', 'post_quant_conv');
  return pairs;
}

function textPairs(layout: LdmLayout): ModulePair[] {
  const component = 'text_encoder';
  if (layout.family === 'sd1') {
    const pairs: ModulePair[] = [
      { ldm: `${OPENAI_CLIP_PREFIX}text_model`, component, diffusers: 'text_model', kind: 'same' },
    ];
    // checkpoints saved with transformers < 4.?? lack the `text_model.` level
    for (const part of ['embeddings', 'encoder', 'final_layer_norm']) {
      pairs.push({
        ldm: OPENAI_CLIP_PREFIX + part,
        component,
        diffusers: `text_model.${part}`,
        kind: 'same',
        readOnly: true,
      });
    }
    return pairs;
  }
  const p = OPENCLIP_PREFIX;
  const pairs: ModulePair[] = [
    {
      ldm: `${p}token_embedding`,
      component,
      diffusers: 'text_model.embeddings.token_embedding',
      kind: 'same',
    },
    {
      ldm: `${p}positional_embedding`,
      component,
      diffusers: 'text_model.embeddings.position_embedding.weight',
      kind: 'same',
      exact: true,
    },
    { ldm: `${p}ln_final`, component, diffusers: 'text_model.final_layer_norm', kind: 'same' },
  ];
  // the penultimate block feeds the UNet: diffusers keeps all blocks but the last
  for (let l = 0; l < layout.textLayers - 1; l++) {
    pairs.push({
      ldm: `${p}transformer.resblocks.${l}`,
      component,
      diffusers: `text_model.encoder.layers.${l}`,
      kind: 'openClipBlock',
    });
  }
  return pairs;
}

function ignoredByLayout(layout: LdmLayout, key: string): boolean {
  if (layout.family !== 'sd2') return false;
  const p = OPENCLIP_PREFIX;
  return (
    key.startsWith(`${p}transformer.resblocks.${layout.textLayers - 1}.`) ||
    key === `${p}text_projection` ||
    key === `${p}logit_scale` ||
    key === `${p}attn_mask`
  );
}

function rename(kind: Kind, rest: string, from: 0 | 1): string | undefined {
  let best: readonly [string, string] | undefined;
  for (const entry of RENAMES[kind]) {
    const name = entry[from];
    if ((rest === name || rest.startsWith(`${name}.`)) && (!best || name.length > best[from].length))
      best = entry;
  }
  if (best) return best[1 - from] + rest.slice(best[from].length);
  if (kind === 'vaeAttention') return undefined;
  return rest;
}

/** Bidirectional key map for one checkpoint structure. */
export class LdmKeyMap {
  private readonly byLdm = new Map<string, ModulePair>();
  private readonly byDiffusers = new Map<string, ModulePair>();

  constructor(readonly layout: LdmLayout) {
    for (const pair of [...unetPairs(layout), ...vaePairs(layout), ...textPairs(layout)]) {
      this.byLdm.set(pair.ldm, pair);
      if (!pair.readOnly) this.byDiffusers.set(`${pair.component}/${pair.diffusers}`, pair);
    }
  }

  /** Targets of an ldm key: one (or three for fused q/k/v), `IGNORED`, or undefined when unknown. */
  toDiffusers(ldmKey: string): DiffusersTarget[] | typeof IGNORED | undefined {
    if (NON_MODEL_KEYS.some((re) => re.test(ldmKey)) || ignoredByLayout(this.layout, ldmKey)) return IGNORED;
    const exact = this.byLdm.get(ldmKey);
    if (exact?.exact) return [{ component: exact.component, key: exact.diffusers }];
    const parts = ldmKey.split('.');
    for (let k = parts.length - 1; k > 0; k--) {
      const pair = this.byLdm.get(parts.slice(0, k).join('.'));
      if (!pair || pair.exact) continue;
      const rest = parts.slice(k).join('.');
      if (pair.kind === 'openClipBlock') {
        const fused = /^attn\.in_proj_(weight|bias)$/.exec(rest);
        if (fused) {
          return FUSED_QKV.map((name, index) => ({
            component: pair.component,
            key: `${pair.diffusers}.${name}.${fused[1]}`,
            part: { index, of: 3 },
          }));
        }
      }
      const inner = rename(pair.kind, rest, 0);
      if (inner === undefined) return undefined;
      const squeeze =
        pair.kind === 'vaeAttention' && inner.endsWith('.weight') && !inner.startsWith('group_norm');
      return [
        { component: pair.component, key: `${pair.diffusers}.${inner}`, ...(squeeze ? { squeeze } : {}) },
      ];
    }
    return undefined;
  }

  /**
   * The ldm key holding a diffusers weight (with the row block for fused q/k/v and `unsqueeze` for VAE
   * attention), or undefined when the layout has no place for it.
   */
  toLdm(
    component: Component,
    key: string,
  ): { key: string; part?: { index: number; of: number }; unsqueeze?: boolean } | undefined {
    const parts = key.split('.');
    for (let k = parts.length; k > 0; k--) {
      const pair = this.byDiffusers.get(`${component}/${parts.slice(0, k).join('.')}`);
      if (!pair) continue;
      if (pair.exact) return k === parts.length ? { key: pair.ldm } : undefined;
      const rest = parts.slice(k).join('.');
      if (pair.kind === 'openClipBlock') {
        const fused = /^self_attn\.(q|k|v)_proj\.(weight|bias)$/.exec(rest);
        if (fused)
          return {
            key: `${pair.ldm}.attn.in_proj_${fused[2]}`,
            part: { index: 'qkv'.indexOf(fused[1]!), of: 3 },
          };
      }
      const inner = rename(pair.kind, rest, 1);
      if (inner === undefined) return undefined;
      const unsqueeze =
        pair.kind === 'vaeAttention' && inner.endsWith('.weight') && !inner.startsWith('norm');
      return { key: `${pair.ldm}.${inner}`, ...(unsqueeze ? { unsqueeze } : {}) };
    }
    return undefined;
  }
}
