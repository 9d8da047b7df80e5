/**
 * diffusers configs for a single-file checkpoint, which carries none. Everything a tensor shape determines
 * is read from the shapes (channels, levels, layers, context width, projection kind, vocabulary, widths);
 * the rest follows the family's published configs (SD 1.x v1-inference.yaml: 8 heads per UNet level; SD 2.x
 * v2-inference.yaml: 64 channels per UNet head; both text encoders: 64 channels per head; GroupNorm 32;
 * VAE scaling 0.18215; SD 1.5 scheduler). Values that a default cannot give (widths that are not a multiple
 * of the head size, or narrower than any real model, as in tiny test models) are listed as `unresolved` so
 * the caller can demand a config.
 */
import { clipTextConfigSchema, type ClipTextConfig } from './clipConfigs';
import {
  SD_SCHEDULER_DEFAULTS,
  schedulerConfigSchema,
  unetConfigSchema,
  vaeConfigSchema,
  type PredictionType,
} from './diffusersConfigs';
import type { LdmKeyMap } from './ldmKeyMap';
import { UNET_PREFIX } from './ldmLayout';
import type { ModelConfigs } from './modelWeights';
import { OPENAI_CLIP_PREFIX, OPENCLIP_PREFIX } from './modelFamily';

/** Names and shapes of stored tensors (a SafetensorsFile satisfies it). */
export interface ShapeIndex {
  names(): readonly string[];
  has(name: string): boolean;
  shape(name: string): readonly number[];
}

/** Inferred configs, the defaults they rely on, and the fields no rule could decide. */
export interface InferredConfigs {
  readonly configs: ModelConfigs;
  readonly assumptions: readonly string[];
  /** `component.field` entries (e.g. "text_encoder.num_attention_heads") that need a config from the user. */
  readonly unresolved: readonly string[];
}

/** Channels per attention head in SD 2.x's UNet and in both families' text encoders. */
const HEAD_CHANNELS = 64;
/** Heads per UNet level in SD 1.x. */
const SD1_UNET_HEADS = 8;
/**
 * The head rules hold for real model sizes only (SD UNets start at 320 channels, CLIP text towers at 512);
 * narrower models are custom and their head counts cannot be guessed.
 */
const MIN_REAL_UNET_WIDTH = 320;
const MIN_REAL_TEXT_WIDTH = 512;

function uniformOrList(values: readonly number[]): number | number[] {
  return values.every((v) => v === values[0]) ? values[0]! : [...values];
}

/** Infers UNet, VAE, text-encoder and scheduler configs from tensor shapes plus family defaults. */
export function inferLdmConfigs(
  index: ShapeIndex,
  map: LdmKeyMap,
  predictionType: PredictionType,
): InferredConfigs {
  const { layout } = map;
  const { family } = layout;
  const assumptions: string[] = [];
  const unresolved: string[] = [];
  const shapeOf = (component: 'unet' | 'vae' | 'text_encoder', key: string): readonly number[] => {
    const ldm = map.toLdm(component, key);
    if (!ldm || !index.has(ldm.key)) {
      throw new Error(
        `checkpoint lacks ${ldm?.key ?? key} (diffusers ${component}/${key}), needed to infer its configuration`,
      );
    }
    return index.shape(ldm.key);
  };

  const u = layout.unet;
  const blockOut = u.layersPerBlock.map(
    (_, i) => shapeOf('unet', `down_blocks.${i}.resnets.0.conv1.weight`)[0]!,
  );
  const convIn = shapeOf('unet', 'conv_in.weight');
  const convOut = shapeOf('unet', 'conv_out.weight');
  const firstAttn = u.downAttention.indexOf(true);
  if (firstAttn < 0 || !u.midAttention)
    throw new Error('checkpoint UNet has no cross-attention; it is not an SD 1.x/2.x UNet');
  const attn = `down_blocks.${firstAttn}.attentions.0`;
  const crossDim = shapeOf('unet', `${attn}.transformer_blocks.0.attn2.to_k.weight`)[1]!;
  const linearProjection = shapeOf('unet', `${attn}.proj_in.weight`).length === 2;
  const tPrefix = map
    .toLdm('unet', `${attn}.transformer_blocks.0.norm1.weight`)!
    .key.replace(/0\.norm1\.weight$/, '');
  const transformerLayers = new Set(
    index
      .names()
      .filter((k) => k.startsWith(tPrefix))
      .map((k) => k.slice(tPrefix.length).split('.')[0]),
  ).size;
  let heads: number | number[];
  if (family === 'sd1') {
    heads = SD1_UNET_HEADS;
    assumptions.push(`unet.attention_head_dim = ${SD1_UNET_HEADS} heads per level (SD 1.x default)`);
    if (blockOut.some((c) => c % SD1_UNET_HEADS !== 0 || c < MIN_REAL_UNET_WIDTH))
      unresolved.push('unet.attention_head_dim');
  } else {
    heads = blockOut.map((c) => Math.max(1, Math.floor(c / HEAD_CHANNELS)));
    assumptions.push(`unet.attention_head_dim = channels / ${HEAD_CHANNELS} per level (SD 2.x default)`);
    if (blockOut.some((c) => c % HEAD_CHANNELS !== 0 || c < MIN_REAL_UNET_WIDTH))
      unresolved.push('unet.attention_head_dim');
  }
  const unet = unetConfigSchema.parse({
    _class_name: 'UNet2DConditionModel',
    sample_size: family === 'sd2' && predictionType === 'v_prediction' ? 96 : 64,
    in_channels: convIn[1],
    out_channels: convOut[0],
    conv_in_kernel: convIn[2],
    conv_out_kernel: convOut[2],
    block_out_channels: blockOut,
    layers_per_block: uniformOrList(u.layersPerBlock),
    down_block_types: u.downAttention.map((a) => (a ? 'CrossAttnDownBlock2D' : 'DownBlock2D')),
    up_block_types: u.upAttention.map((a) => (a ? 'CrossAttnUpBlock2D' : 'UpBlock2D')),
    mid_block_type: 'UNetMidBlock2DCrossAttn',
    cross_attention_dim: crossDim,
    transformer_layers_per_block: transformerLayers,
    attention_head_dim: heads,
    use_linear_projection: linearProjection,
  });
  assumptions.push('unet: norm_num_groups 32, flip_sin_to_cos true, freq_shift 0 (SD defaults)');

  const v = layout.vae;
  const vae = vaeConfigSchema.parse({
    _class_name: 'AutoencoderKL',
    in_channels: shapeOf('vae', 'encoder.conv_in.weight')[1],
    out_channels: shapeOf('vae', 'decoder.conv_out.weight')[0],
    latent_channels: shapeOf('vae', 'post_quant_conv.weight')[0],
    block_out_channels: Array.from(
      { length: v.levels },
      (_, i) => shapeOf('vae', `encoder.down_blocks.${i}.resnets.0.conv1.weight`)[0],
    ),
    layers_per_block: v.layersPerBlock,
    down_block_types: Array.from({ length: v.levels }, () => 'DownEncoderBlock2D'),
    up_block_types: Array.from({ length: v.levels }, () => 'UpDecoderBlock2D'),
    sample_size: family === 'sd2' && predictionType === 'v_prediction' ? 768 : 512,
  });
  assumptions.push('vae: scaling_factor 0.18215, norm_num_groups 32 (SD defaults)');

  const textEncoder = inferTextConfig(index, map, assumptions, unresolved);
  const scheduler = schedulerConfigSchema.parse({
    ...SD_SCHEDULER_DEFAULTS,
    prediction_type: predictionType,
  });
  assumptions.push(
    'scheduler: SD 1.5 / 2.1 scheduler_config.json (PNDM, scaled_linear 0.00085–0.012, 1000 steps)',
  );
  return { configs: { unet, vae, textEncoder, scheduler }, assumptions, unresolved };
}

function inferTextConfig(
  index: ShapeIndex,
  map: LdmKeyMap,
  assumptions: string[],
  unresolved: string[],
): ClipTextConfig {
  const { family, textLayers } = map.layout;
  const stored = (key: string) => map.toLdm('text_encoder', key)!.key;
  const tokens = index.shape(stored('text_model.embeddings.token_embedding.weight'));
  const positions = index.shape(stored('text_model.embeddings.position_embedding.weight'));
  const fc1 = index.shape(stored('text_model.encoder.layers.0.mlp.fc1.weight'));
  const [vocab, hidden] = [tokens[0]!, tokens[1]!];
  const projection = `${OPENCLIP_PREFIX}text_projection`;
  if (hidden % HEAD_CHANNELS !== 0 || hidden < MIN_REAL_TEXT_WIDTH)
    unresolved.push('text_encoder.num_attention_heads');
  assumptions.push(`text_encoder.num_attention_heads = hidden_size / ${HEAD_CHANNELS} (CLIP default)`);
  assumptions.push('text_encoder: <|startoftext|> and <|endoftext|> are the last two vocabulary ids');
  const legacy =
    !index.names().some((k) => k.startsWith(`${OPENAI_CLIP_PREFIX}text_model.`)) && family === 'sd1';
  if (legacy) assumptions.push('text_encoder keys without "text_model." (old transformers export)');
  return clipTextConfigSchema.parse({
    architectures: ['CLIPTextModel'],
    model_type: 'clip_text_model',
    vocab_size: vocab,
    hidden_size: hidden,
    intermediate_size: fc1[0],
    num_hidden_layers: family === 'sd2' ? textLayers - 1 : textLayers,
    num_attention_heads: Math.max(1, Math.floor(hidden / HEAD_CHANNELS)),
    max_position_embeddings: positions[0],
    hidden_act: family === 'sd2' ? 'gelu' : 'quick_gelu',
    layer_norm_eps: 1e-5,
    projection_dim: index.has(projection) ? index.shape(projection)[1] : 768,
    bos_token_id: vocab - 2,
    eos_token_id: vocab - 1,
    pad_token_id: family === 'sd2' ? 0 : vocab - 1,
  });
}

/** The UNet key ComfyUI's SD 2.x v-prediction test looks at (present in full-size SD 2.x UNets only). */
export const V_PREDICTION_PROBE = `${UNET_PREFIX}output_blocks.11.1.transformer_blocks.0.norm1.bias`;
/** Above this population std of the probe, an SD 2.x UNet was trained for v-prediction (768-v models). */
export const V_PREDICTION_STD = 0.09;

/** Population standard deviation. */
export function populationStd(values: Float32Array): number {
  let mean = 0;
  for (const x of values) mean += x;
  mean /= values.length;
  let sq = 0;
  for (const x of values) sq += (x - mean) ** 2;
  return Math.sqrt(sq / values.length);
}
