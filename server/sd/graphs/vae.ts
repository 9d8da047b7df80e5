/**
 * diffusers AutoencoderKL as two ONNX graphs. Scaling convention (as diffusers' ONNX export): the graphs
 * never apply `scaling_factor`. The caller multiplies the encoder's mean (or a sample mean + std·ε) by
 * `scaling_factor` before the UNet, and divides latents by it before the decoder.
 */
import { GraphBuilder } from '../../onnx/graphBuilder';
import { finishGraph, type BuiltGraph } from './builtGraph';
import { attention, attentionOpsets, type AttentionKernel } from './attention';
import type { VaeConfig } from './configTypes';
import { activation, conv2d, fromTokens, groupNorm, ints, scalar, toTokens, type ModelBuild } from './layers';
import { downsample, resnetBlock, upsample } from './resnet';
import { WeightBinder, type WeightReader } from './weightBinder';

/** A built VAE half with its graph input/output names. */
export interface VaeGraph extends BuiltGraph {
  /** Image size / latent size. */
  readonly downscale: number;
}

export interface VaeOptions {
  /** Attention kernel of the mid block (default `standard`; `fused` for inference-only graphs). */
  readonly attention?: AttentionKernel;
}

// diffusers' Encoder/Decoder fix their norms' eps
const EPS = 1e-6;
const LOGVAR_MIN = -30;
const LOGVAR_MAX = 20;

/**
 * Encoder + quant_conv, deterministic: input `sample` [B, 3, H, W] in [-1, 1]; outputs `moments`
 * [B, 2·latent, h, w] (mean then logvar channels), `latent_mean`, `latent_logvar` (clamped to [-30, 20] as
 * diffusers' DiagonalGaussianDistribution) and `latent_std` = exp(logvar / 2). Latents are not scaled.
 */
export function buildVaeEncoder(
  config: VaeConfig,
  weights: WeightReader,
  options: VaeOptions = {},
): VaeGraph {
  checkBlockTypes(config);
  const g = new GraphBuilder({ name: 'vae_encoder' });
  const w = new WeightBinder(g, weights, 'vae encoder');
  const b: ModelBuild = { g, w };
  const ch = config.block_out_channels;
  const n = ch.length;
  const latent = config.latent_channels;
  const image = g.input('sample', 'float32', ['batch', config.in_channels, 'height', 'width']);

  let h = conv2d(b, image, 'encoder.conv_in', config.in_channels, ch[0]!);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < config.layers_per_block; j++) {
      h = resnet(
        b,
        h,
        `encoder.down_blocks.${i}.resnets.${j}`,
        j === 0 ? ch[Math.max(i - 1, 0)]! : ch[i]!,
        ch[i]!,
        config,
      );
    }
    if (i < n - 1) h = downsample(b, h, `encoder.down_blocks.${i}.downsamplers.0`, ch[i]!, 0);
  }
  h = midBlock(b, h, 'encoder.mid_block', ch[n - 1]!, config, options.attention);
  h = activation(
    g,
    groupNorm(b, h, 'encoder.conv_norm_out', ch[n - 1]!, config.norm_num_groups, EPS),
    config.act_fn ?? 'silu',
  );
  h = conv2d(b, h, 'encoder.conv_out', ch[n - 1]!, 2 * latent);
  const moments = conv2d(b, h, 'quant_conv', 2 * latent, 2 * latent, { kernel: 1 });

  const channels = (start: number) =>
    g.op('Slice', [moments, ints(g, [start]), ints(g, [start + latent]), ints(g, [1])]);
  const logvar = g.op('Clip', [channels(latent), g.scalar(LOGVAR_MIN), g.scalar(LOGVAR_MAX)]);
  const latentShape = ['batch', latent, 'latent_height', 'latent_width'];
  g.output(moments, 'float32', ['batch', 2 * latent, 'latent_height', 'latent_width'], 'moments');
  g.output(channels(0), 'float32', latentShape, 'latent_mean');
  g.output(logvar, 'float32', latentShape, 'latent_logvar');
  g.output(g.op('Exp', [g.op('Mul', [logvar, scalar(g, 0.5)])]), 'float32', latentShape, 'latent_std');
  return {
    ...finishGraph(
      b,
      ['moments', 'latent_mean', 'latent_logvar', 'latent_std'],
      attentionOpsets(options.attention),
    ),
    downscale: 2 ** (n - 1),
  };
}

/** post_quant_conv + Decoder: input `latent_sample` [B, latent, h, w] (already divided by scaling_factor); output `sample` [B, 3, 8h, 8w], roughly [-1, 1], unclamped. */
export function buildVaeDecoder(
  config: VaeConfig,
  weights: WeightReader,
  options: VaeOptions = {},
): VaeGraph {
  checkBlockTypes(config);
  const g = new GraphBuilder({ name: 'vae_decoder' });
  const w = new WeightBinder(g, weights, 'vae decoder');
  const b: ModelBuild = { g, w };
  const ch = config.block_out_channels;
  const n = ch.length;
  const latent = config.latent_channels;
  const input = g.input('latent_sample', 'float32', ['batch', latent, 'height', 'width']);

  let h = conv2d(b, input, 'post_quant_conv', latent, latent, { kernel: 1 });
  h = conv2d(b, h, 'decoder.conv_in', latent, ch[n - 1]!);
  h = midBlock(b, h, 'decoder.mid_block', ch[n - 1]!, config, options.attention);
  let outChannels = ch[n - 1]!;
  for (let i = 0; i < n; i++) {
    const inChannels = outChannels;
    outChannels = ch[n - 1 - i]!;
    for (let j = 0; j < config.layers_per_block + 1; j++) {
      h = resnet(
        b,
        h,
        `decoder.up_blocks.${i}.resnets.${j}`,
        j === 0 ? inChannels : outChannels,
        outChannels,
        config,
      );
    }
    if (i < n - 1) h = upsample(b, h, `decoder.up_blocks.${i}.upsamplers.0`, outChannels);
  }
  h = activation(
    g,
    groupNorm(b, h, 'decoder.conv_norm_out', ch[0]!, config.norm_num_groups, EPS),
    config.act_fn ?? 'silu',
  );
  h = conv2d(b, h, 'decoder.conv_out', ch[0]!, config.out_channels);
  g.output(h, 'float32', ['batch', config.out_channels, 'image_height', 'image_width'], 'sample');
  return {
    ...finishGraph(b, ['sample'], attentionOpsets(options.attention)),
    downscale: 2 ** (n - 1),
  };
}

function resnet(
  b: ModelBuild,
  x: string,
  key: string,
  inChannels: number,
  outChannels: number,
  config: VaeConfig,
): string {
  return resnetBlock(b, x, key, {
    inChannels,
    outChannels,
    groups: config.norm_num_groups,
    eps: EPS,
    act: config.act_fn ?? 'silu',
  });
}

/** UNetMidBlock2D without time embedding: resnet, single-head self-attention over pixels, resnet. */
function midBlock(
  b: ModelBuild,
  x: string,
  key: string,
  channels: number,
  config: VaeConfig,
  kernel: AttentionKernel | undefined,
): string {
  const g = b.g;
  let h = resnet(b, x, `${key}.resnets.0`, channels, channels, config);
  const attn = `${key}.attentions.0`;
  const tokens = toTokens(
    g,
    groupNorm(b, h, `${attn}.group_norm`, channels, config.norm_num_groups, EPS),
    channels,
  );
  const attended = attention(b, tokens, {
    heads: 1,
    headDim: channels,
    queryDim: channels,
    keys: { q: `${attn}.to_q`, k: `${attn}.to_k`, v: `${attn}.to_v`, out: `${attn}.to_out.0` },
    qkvBias: true,
    kernel,
  });
  h = g.op('Add', [fromTokens(g, attended, h, channels), h]);
  return resnet(b, h, `${key}.resnets.1`, channels, channels, config);
}

function checkBlockTypes(config: VaeConfig): void {
  const bad = [
    ...config.down_block_types.filter((t) => t !== 'DownEncoderBlock2D'),
    ...config.up_block_types.filter((t) => t !== 'UpDecoderBlock2D'),
  ];
  const n = config.block_out_channels.length;
  if (bad.length || config.down_block_types.length !== n || config.up_block_types.length !== n) {
    throw new Error(
      `vae config not supported: expected ${n} DownEncoderBlock2D and ${n} UpDecoderBlock2D (one per block_out_channels entry), got down [${config.down_block_types.join(', ')}], up [${config.up_block_types.join(', ')}]`,
    );
  }
}
