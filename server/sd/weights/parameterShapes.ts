/**
 * Every parameter (diffusers/transformers key → shape) that a config implies, following the constructors of
 * diffusers 0.21 (UNet2DConditionModel, AutoencoderKL) and transformers (CLIPTextModel, CLIPModel). Loaders
 * check a checkpoint against this table, so a missing, renamed or mis-shaped tensor is reported at load
 * time with the full list rather than one at a time during a graph build.
 */
import type { ClipModelConfig, ClipTextConfig, ClipVisionConfig } from './clipConfigs';
import type { UNetConfig, VaeConfig } from './diffusersConfigs';

/** Parameter name → shape. */
export type ShapeTable = Map<string, readonly number[]>;

/** An int-or-list config field expanded to one value per block. */
export function perBlock(value: number | readonly number[], blocks: number, field: string): number[] {
  if (typeof value === 'number') return Array.from({ length: blocks }, () => value);
  if (value.length !== blocks)
    throw new Error(`config ${field} has ${value.length} entries for ${blocks} blocks`);
  return [...value];
}

function add(t: ShapeTable, prefix: string, entries: Record<string, readonly number[]>): void {
  for (const [k, shape] of Object.entries(entries)) t.set(`${prefix}.${k}`, shape);
}

function norm(t: ShapeTable, prefix: string, c: number): void {
  add(t, prefix, { weight: [c], bias: [c] });
}

function linear(t: ShapeTable, prefix: string, out: number, inp: number, bias = true): void {
  t.set(`${prefix}.weight`, [out, inp]);
  if (bias) t.set(`${prefix}.bias`, [out]);
}

function conv(t: ShapeTable, prefix: string, out: number, inp: number, k: number): void {
  add(t, prefix, { weight: [out, inp, k, k], bias: [out] });
}

/** A diffusers ResnetBlock2D (`temb` undefined: the VAE's, without time embedding). */
function resnet(t: ShapeTable, p: string, inp: number, out: number, temb?: number): void {
  norm(t, `${p}.norm1`, inp);
  conv(t, `${p}.conv1`, out, inp, 3);
  if (temb !== undefined) linear(t, `${p}.time_emb_proj`, out, temb);
  norm(t, `${p}.norm2`, out);
  conv(t, `${p}.conv2`, out, out, 3);
  if (inp !== out) conv(t, `${p}.conv_shortcut`, out, inp, 1);
}

interface TransformerSpec {
  readonly layers: number;
  readonly cross: number;
  readonly linearProjection: boolean;
  readonly onlyCross: boolean;
}

/** A diffusers Transformer2DModel (spatial transformer) on `c` channels. */
function transformer2d(t: ShapeTable, p: string, c: number, s: TransformerSpec): void {
  norm(t, `${p}.norm`, c);
  const proj = (name: string) =>
    s.linearProjection ? linear(t, `${p}.${name}`, c, c) : conv(t, `${p}.${name}`, c, c, 1);
  proj('proj_in');
  for (let l = 0; l < s.layers; l++) {
    const b = `${p}.transformer_blocks.${l}`;
    const kv1 = s.onlyCross ? s.cross : c;
    for (const [attn, kv] of [
      ['attn1', kv1],
      ['attn2', s.cross],
    ] as const) {
      linear(t, `${b}.${attn}.to_q`, c, c, false);
      linear(t, `${b}.${attn}.to_k`, c, kv, false);
      linear(t, `${b}.${attn}.to_v`, c, kv, false);
      linear(t, `${b}.${attn}.to_out.0`, c, c);
    }
    for (const n of ['norm1', 'norm2', 'norm3']) norm(t, `${b}.${n}`, c);
    linear(t, `${b}.ff.net.0.proj`, 8 * c, c); // GEGLU: value and gate halves of 4c each
    linear(t, `${b}.ff.net.2`, c, 4 * c);
  }
  proj('proj_out');
}

/** Parameters of a diffusers UNet2DConditionModel (the SD 1.x / 2.x variants). */
export function unetParameterShapes(c: UNetConfig): ShapeTable {
  if (
    c.class_embed_type !== null ||
    c.addition_embed_type !== null ||
    c.time_embedding_type !== 'positional'
  ) {
    throw new Error(
      'UNet configs with class/addition embeddings or non-positional time embeddings are not supported',
    );
  }
  const t: ShapeTable = new Map();
  const boc = c.block_out_channels;
  const n = boc.length;
  const lpb = perBlock(c.layers_per_block, n, 'layers_per_block');
  const tlpb = perBlock(c.transformer_layers_per_block, n, 'transformer_layers_per_block');
  const cross = perBlock(c.cross_attention_dim, n, 'cross_attention_dim');
  const onlyCross =
    typeof c.only_cross_attention === 'boolean'
      ? boc.map(() => c.only_cross_attention === true)
      : c.only_cross_attention;
  const temb = boc[0]! * 4;
  const spec = (i: number): TransformerSpec => ({
    layers: tlpb[i]!,
    cross: cross[i]!,
    linearProjection: c.use_linear_projection,
    onlyCross: onlyCross[i] ?? false,
  });
  conv(t, 'conv_in', boc[0]!, c.in_channels, c.conv_in_kernel);
  linear(t, 'time_embedding.linear_1', temb, boc[0]!);
  linear(t, 'time_embedding.linear_2', temb, temb);
  let out = boc[0]!;
  c.down_block_types.forEach((type, i) => {
    const inp = out;
    out = boc[i]!;
    for (let j = 0; j < lpb[i]!; j++) {
      resnet(t, `down_blocks.${i}.resnets.${j}`, j === 0 ? inp : out, out, temb);
      if (type === 'CrossAttnDownBlock2D') transformer2d(t, `down_blocks.${i}.attentions.${j}`, out, spec(i));
      else if (type !== 'DownBlock2D') throw new Error(`unsupported UNet down block type "${type}"`);
    }
    if (i < n - 1) conv(t, `down_blocks.${i}.downsamplers.0.conv`, out, out, 3);
  });
  const last = boc[n - 1]!;
  if (c.mid_block_type === 'UNetMidBlock2DCrossAttn') {
    resnet(t, 'mid_block.resnets.0', last, last, temb);
    transformer2d(t, 'mid_block.attentions.0', last, spec(n - 1));
    resnet(t, 'mid_block.resnets.1', last, last, temb);
  } else if (c.mid_block_type !== null) {
    throw new Error(`unsupported UNet mid block type "${c.mid_block_type}"`);
  }
  const rev = [...boc].reverse();
  const revSpec = (i: number) => spec(n - 1 - i);
  out = rev[0]!;
  c.up_block_types.forEach((type, i) => {
    const prev = out;
    out = rev[i]!;
    const skipIn = rev[Math.min(i + 1, n - 1)]!;
    const layers = lpb[n - 1 - i]! + 1;
    for (let j = 0; j < layers; j++) {
      const skip = j === layers - 1 ? skipIn : out;
      resnet(t, `up_blocks.${i}.resnets.${j}`, (j === 0 ? prev : out) + skip, out, temb);
      if (type === 'CrossAttnUpBlock2D') transformer2d(t, `up_blocks.${i}.attentions.${j}`, out, revSpec(i));
      else if (type !== 'UpBlock2D') throw new Error(`unsupported UNet up block type "${type}"`);
    }
    if (i < n - 1) conv(t, `up_blocks.${i}.upsamplers.0.conv`, out, out, 3);
  });
  norm(t, 'conv_norm_out', boc[0]!);
  conv(t, 'conv_out', c.out_channels, boc[0]!, c.conv_out_kernel);
  return t;
}

function vaeMid(t: ShapeTable, p: string, c: number): void {
  resnet(t, `${p}.resnets.0`, c, c);
  norm(t, `${p}.attentions.0.group_norm`, c);
  for (const name of ['to_q', 'to_k', 'to_v', 'to_out.0']) linear(t, `${p}.attentions.0.${name}`, c, c);
  resnet(t, `${p}.resnets.1`, c, c);
}

/** Parameters of a diffusers AutoencoderKL. */
export function vaeParameterShapes(c: VaeConfig): ShapeTable {
  const t: ShapeTable = new Map();
  const boc = c.block_out_channels;
  const n = boc.length;
  const last = boc[n - 1]!;
  const latent = c.latent_channels;
  conv(t, 'encoder.conv_in', boc[0]!, c.in_channels, 3);
  let out = boc[0]!;
  for (let i = 0; i < n; i++) {
    const inp = out;
    out = boc[i]!;
    for (let j = 0; j < c.layers_per_block; j++)
      resnet(t, `encoder.down_blocks.${i}.resnets.${j}`, j === 0 ? inp : out, out);
    if (i < n - 1) conv(t, `encoder.down_blocks.${i}.downsamplers.0.conv`, out, out, 3);
  }
  vaeMid(t, 'encoder.mid_block', last);
  norm(t, 'encoder.conv_norm_out', last);
  conv(t, 'encoder.conv_out', 2 * latent, last, 3);
  conv(t, 'quant_conv', 2 * latent, 2 * latent, 1);
  conv(t, 'post_quant_conv', latent, latent, 1);
  conv(t, 'decoder.conv_in', last, latent, 3);
  vaeMid(t, 'decoder.mid_block', last);
  const rev = [...boc].reverse();
  out = rev[0]!;
  for (let i = 0; i < n; i++) {
    const prev = out;
    out = rev[i]!;
    for (let j = 0; j <= c.layers_per_block; j++)
      resnet(t, `decoder.up_blocks.${i}.resnets.${j}`, j === 0 ? prev : out, out);
    if (i < n - 1) conv(t, `decoder.up_blocks.${i}.upsamplers.0.conv`, out, out, 3);
  }
  norm(t, 'decoder.conv_norm_out', boc[0]!);
  conv(t, 'decoder.conv_out', c.out_channels, boc[0]!, 3);
  return t;
}

function clipEncoder(t: ShapeTable, p: string, c: ClipTextConfig | ClipVisionConfig): void {
  const h = c.hidden_size;
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const b = `${p}.encoder.layers.${l}`;
    for (const name of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) linear(t, `${b}.self_attn.${name}`, h, h);
    norm(t, `${b}.layer_norm1`, h);
    linear(t, `${b}.mlp.fc1`, c.intermediate_size, h);
    linear(t, `${b}.mlp.fc2`, h, c.intermediate_size);
    norm(t, `${b}.layer_norm2`, h);
  }
}

/** Parameters of a transformers CLIPTextModel (keys under `text_model.`). */
export function clipTextParameterShapes(c: ClipTextConfig): ShapeTable {
  const t: ShapeTable = new Map();
  t.set('text_model.embeddings.token_embedding.weight', [c.vocab_size, c.hidden_size]);
  t.set('text_model.embeddings.position_embedding.weight', [c.max_position_embeddings, c.hidden_size]);
  clipEncoder(t, 'text_model', c);
  norm(t, 'text_model.final_layer_norm', c.hidden_size);
  return t;
}

/** Parameters of a transformers CLIPModel (text and vision towers, projections, logit scale). */
export function clipModelParameterShapes(c: ClipModelConfig): ShapeTable {
  const t = clipTextParameterShapes(c.text_config);
  const v = c.vision_config;
  const patches = (v.image_size / v.patch_size) ** 2;
  t.set('vision_model.embeddings.class_embedding', [v.hidden_size]);
  t.set('vision_model.embeddings.patch_embedding.weight', [
    v.hidden_size,
    v.num_channels,
    v.patch_size,
    v.patch_size,
  ]);
  t.set('vision_model.embeddings.position_embedding.weight', [patches + 1, v.hidden_size]);
  norm(t, 'vision_model.pre_layrnorm', v.hidden_size);
  clipEncoder(t, 'vision_model', v);
  norm(t, 'vision_model.post_layernorm', v.hidden_size);
  linear(t, 'text_projection', c.projection_dim, c.text_config.hidden_size, false);
  linear(t, 'visual_projection', c.projection_dim, v.hidden_size, false);
  t.set('logit_scale', []);
  return t;
}
