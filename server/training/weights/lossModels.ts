/**
 * Loss models for training SD components from scratch with the real builders: the VAE (reconstruction +
 * KL, reparameterised with fed noise), the UNet (MSE against a fed target: epsilon or velocity) and CLIP
 * (symmetric contrastive loss with a learnable temperature). Weights stay initializers named by checkpoint
 * key (prefixed `enc/`, `dec/`, `txt/`, `img/` where two graphs are joined) for `buildParameterGradientGraph`.
 */
import type { ModelProto } from '../../onnx/proto';
import type { GraphBuilder } from '../../onnx/graphBuilder';
import { extendModel, mergeModels, renameTensors } from '../../onnx/surgery';
import {
  buildClipImageEmbedder,
  buildClipTextEmbedder,
  buildUNet,
  buildVaeDecoder,
  buildVaeEncoder,
  type ClipModelConfig,
  type UNetConfig,
  type VaeConfig,
  type WeightReader,
} from '../../sd/graphs';
import { trainableWeights } from './trainableWeights';

/** Loss-model input and output names. */
export const LOSS_IO = {
  loss: 'loss',
  image: 'image',
  noise: 'noise',
  reconstruction: 'reconstruction_loss',
  kl: 'kl_loss',
  noisyLatents: 'noisy_latents',
  timesteps: 'timesteps',
  context: 'context',
  target: 'target',
  inputIds: 'input_ids',
  pixels: 'pixel_values',
  positives: 'positives',
  latents: 'latents',
  lossWeights: 'loss_weights',
} as const;

/** A loss model and the names of its weight initializers (the parameters training may update). */
export interface LossModel {
  readonly model: ModelProto;
  readonly parameters: readonly string[];
}

const prefixed = (prefix: string, keys: readonly string[]) => keys.map((k) => prefix + k);

function meanSquare(g: GraphBuilder, a: string, b: string): string {
  const d = g.op('Sub', [a, b]);
  return g.op('ReduceMean', [g.op('Mul', [d, d])], { keepdims: 0 });
}

/**
 * VAE: image [-1, 1] → encoder → z = mean + std·noise → decoder; loss = MSE(image, decoded) + klWeight·KL,
 * KL = ½·Σ(mean² + var − 1 − logvar) over latent elements, averaged per image pixel value (so klWeight is
 * comparable across sizes).
 */
export function vaeLossModel(config: VaeConfig, weights: WeightReader, klWeight: number): LossModel {
  const w = trainableWeights(weights);
  const built = buildVaeEncoder(config, w);
  const decoder = buildVaeDecoder(config, w);
  const encoder = extendModel(
    built.model,
    (g) => {
      const noise = g.input(LOSS_IO.noise, 'float32', ['batch', config.latent_channels, 'h', 'w']);
      g.output(g.op('Add', ['latent_mean', g.op('Mul', ['latent_std', noise])]), 'float32', undefined, 'z');
    },
    { keepOutputs: true },
  );
  const joined = mergeModels(encoder, decoder.model, {
    connect: { latent_sample: 'z' },
    firstPrefix: 'enc/',
    secondPrefix: 'dec/',
    keepFirstOutputs: true,
  });
  const withLoss = extendModel(joined, (g) => {
    const image = 'enc/sample';
    const reconstruction = meanSquare(g, 'dec/sample', image);
    const mean = 'enc/latent_mean';
    const logvar = 'enc/latent_logvar';
    const terms = g.op('Sub', [
      g.op('Add', [g.op('Mul', [mean, mean]), g.op('Exp', [logvar])]),
      g.op('Add', [logvar, g.scalar(1)]),
    ]);
    // Σ over latent elements / number of image values = mean over latents · (latent count / image count)
    const ratio = g.op('Div', [
      g.op('Cast', [g.op('Size', [mean])], { to: 1 }),
      g.op('Cast', [g.op('Size', [image])], { to: 1 }),
    ]);
    const kl = g.op('Mul', [
      g.op('Mul', [g.op('ReduceMean', [terms], { keepdims: 0 }), g.scalar(0.5)]),
      ratio,
    ]);
    g.output(reconstruction, 'float32', [], LOSS_IO.reconstruction);
    g.output(kl, 'float32', [], LOSS_IO.kl);
    g.output(
      g.op('Add', [reconstruction, g.op('Mul', [kl, g.scalar(klWeight)])]),
      'float32',
      [],
      LOSS_IO.loss,
    );
  });
  return {
    model: renameTensors(withLoss, { 'enc/sample': LOSS_IO.image, 'enc/noise': LOSS_IO.noise }),
    parameters: [...prefixed('enc/', built.weightKeys), ...prefixed('dec/', decoder.weightKeys)],
  };
}

/**
 * VAE decoder alone: fed latents (the frozen encoder's means) → decoder; loss = MSE(decoded, image). Fine-tunes
 * the decoder while the latent space, and so every model trained on it, stays as it is (as SD's ft-MSE VAE).
 */
export function vaeDecoderLossModel(config: VaeConfig, weights: WeightReader): LossModel {
  const decoder = buildVaeDecoder(config, trainableWeights(weights));
  const withLoss = extendModel(decoder.model, (g) => {
    const image = g.input(LOSS_IO.image, 'float32', ['batch', config.out_channels, 'h', 'w']);
    g.output(meanSquare(g, 'sample', image), 'float32', [], LOSS_IO.loss);
  });
  return {
    model: renameTensors(withLoss, { latent_sample: LOSS_IO.latents }),
    parameters: decoder.weightKeys,
  };
}

/**
 * UNet: (noisy latents, timesteps, context) → prediction; loss = MSE(prediction, target). `weighted` adds an
 * input `loss_weights` [batch] scaling each sample's MSE (min-SNR-γ weighting, see minSnrWeights).
 */
export function unetLossModel(
  config: UNetConfig,
  weights: WeightReader,
  options: { weighted?: boolean } = {},
): LossModel {
  const unet = buildUNet(config, trainableWeights(weights));
  const withLoss = extendModel(unet.model, (g) => {
    const target = g.input(LOSS_IO.target, 'float32', ['batch', config.out_channels, 'h', 'w']);
    if (!options.weighted) {
      g.output(meanSquare(g, unet.outputNames[0]!, target), 'float32', [], LOSS_IO.loss);
      return;
    }
    // every sample has as many values, so the mean of w_b·d² is the batch mean of w_b·MSE_b
    const perSample = g.op('Reshape', [
      g.input(LOSS_IO.lossWeights, 'float32', ['batch']),
      g.ints([-1, 1, 1, 1]),
    ]);
    const d = g.op('Sub', [unet.outputNames[0]!, target]);
    const weighted = g.op('Mul', [g.op('Mul', [d, d]), perSample]);
    g.output(g.op('ReduceMean', [weighted], { keepdims: 0 }), 'float32', [], LOSS_IO.loss);
  });
  return {
    model: renameTensors(withLoss, {
      sample: LOSS_IO.noisyLatents,
      timestep: LOSS_IO.timesteps,
      encoder_hidden_states: LOSS_IO.context,
    }),
    parameters: unet.weightKeys,
  };
}

/**
 * CLIP: text ids and pixels → unit embeddings; logits = exp(logit_scale)·image·textᵀ; loss = ½·(CE over rows
 * + CE over columns) against `positives` [B, B], a row-stochastic matrix (1 on the diagonal, spread over
 * pairs with identical captions, so duplicates in a batch are not pushed apart). With `learnTemperature`
 * false the checkpoint's logit_scale stays fixed: small CLIPs trained from scratch otherwise shrink it
 * while their features carry no signal yet, and the flat logits then stall learning (measured on the toy
 * world: loss stuck at ln(batch)).
 */
export function clipLossModel(
  config: ClipModelConfig,
  weights: WeightReader,
  options: { learnTemperature?: boolean } = {},
): LossModel {
  const w = trainableWeights(weights);
  const text = buildClipTextEmbedder(config, w);
  const image = buildClipImageEmbedder(config, w);
  const joined = mergeModels(text.model, image.model, {
    connect: {},
    firstPrefix: 'txt/',
    secondPrefix: 'img/',
    keepFirstOutputs: true,
  });
  const withLoss = extendModel(joined, (g) => {
    const positives = g.input(LOSS_IO.positives, 'float32', ['batch', 'batch']);
    const scale = g.initializer('logit_scale', {
      type: 'float32',
      dims: [],
      data: Float32Array.of(weights.read('logit_scale')[0]!),
    });
    const logits = g.op('Mul', [
      g.op('MatMul', ['img/image_embeds', g.op('Transpose', ['txt/text_embeds'], { perm: [1, 0] })]),
      g.op('Exp', [scale]),
    ]);
    const crossEntropy = (l: string, targets: string) =>
      g.op('Neg', [
        g.op(
          'ReduceMean',
          [
            g.op('ReduceSum', [g.op('Mul', [g.op('LogSoftmax', [l], { axis: 1 }), targets]), g.ints([1])], {
              keepdims: 0,
            }),
          ],
          { keepdims: 0 },
        ),
      ]);
    const transposed = (x: string) => g.op('Transpose', [x], { perm: [1, 0] });
    const loss = g.op('Mul', [
      g.op('Add', [crossEntropy(logits, positives), crossEntropy(transposed(logits), transposed(positives))]),
      g.scalar(0.5),
    ]);
    g.output(loss, 'float32', [], LOSS_IO.loss);
  });
  return {
    model: renameTensors(withLoss, { 'txt/input_ids': LOSS_IO.inputIds, 'img/pixel_values': LOSS_IO.pixels }),
    parameters: [
      ...prefixed(
        'txt/',
        text.weightKeys.filter((k) => k !== 'logit_scale'),
      ),
      ...prefixed(
        'img/',
        image.weightKeys.filter((k) => k !== 'logit_scale'),
      ),
      ...(options.learnTemperature === false ? [] : ['logit_scale']),
    ],
  };
}
