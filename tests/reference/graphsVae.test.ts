/**
 * The VAE encoder and decoder built by our builders from the dataset's `model/vae` reproduce golden.json:
 * `vae.decode` (decoder input = latents / scaling_factor) and `vae.encode` (mean, logvar, std).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, ort, type ModelSession } from '../../server/onnx/sessions';
import { buildVaeDecoder, buildVaeEncoder } from '../../server/sd/graphs';
import { maxDifference } from '../support/arrayCompare';
import { goldenArray } from '../support/referenceData';
import { datasetModel, expectGolden, floatTensor } from './graphsSupport';
import { measured } from '../support/measured';

const { vae: weights, configs } = datasetModel();
const config = configs.vae;

describe('VAE graphs (model/vae)', () => {
  let decoder: ModelSession;
  let encoder: ModelSession;

  let weightKeys: string[] = [];

  beforeAll(async () => {
    const decoderGraph = await measured('vae decoder build', () => buildVaeDecoder(config, weights));
    const encoderGraph = await measured('vae encoder build', () => buildVaeEncoder(config, weights));
    weightKeys = [...decoderGraph.weightKeys, ...encoderGraph.weightKeys].sort();
    decoder = await measured('vae decoder session', () =>
      createSession(decoderGraph.model, { provider: 'cpu' }, 'vae_decoder'),
    );
    encoder = await measured('vae encoder session', () =>
      createSession(encoderGraph.model, { provider: 'cpu' }, 'vae_encoder'),
    );
  });
  afterAll(async () => {
    await decoder?.release();
    await encoder?.release();
  });

  it('encoder and decoder together read every weight of the checkpoint, each once', () => {
    expect(weightKeys).toEqual(weights.names());
  });

  it('decodes latents / scaling_factor to the golden sample', async () => {
    const latents = goldenArray('vae.decode.latents');
    const input = goldenArray('vae.decode.decoder_input');
    // the caller divides by scaling_factor; the graph does not
    expect(
      maxDifference(
        latents.data.map((v) => v / config.scaling_factor),
        input.data,
      ),
    ).toBeLessThan(1e-5);
    const out = await measured('vae decode call', () => decoder.run({ latent_sample: floatTensor(input) }));
    expectGolden(out.sample, goldenArray('vae.decode.sample'), 'decoded sample');
  });

  it('encodes the golden image to the golden mean, logvar and std, and moments hold mean then logvar', async () => {
    const out = await measured('vae encode call', () =>
      encoder.run({ sample: floatTensor(goldenArray('vae.encode.image')) }),
    );
    const mean = goldenArray('vae.encode.latent_mean');
    expectGolden(out.latent_mean, mean, 'latent_mean');
    expectGolden(out.latent_logvar, goldenArray('vae.encode.latent_logvar'), 'latent_logvar');
    expectGolden(out.latent_std, goldenArray('vae.encode.latent_std'), 'latent_std');
    const moments = out.moments!;
    expect(moments.dims).toEqual([mean.shape[0], 2 * config.latent_channels, ...mean.shape.slice(2)]);
    const perImage = mean.data.length / mean.shape[0]!;
    expect(Array.from((moments.data as Float32Array).subarray(0, perImage))).toEqual(
      Array.from((out.latent_mean!.data as Float32Array).subarray(0, perImage)),
    );
    // what the UNet gets: the caller applies scaling_factor
    const scaled = (out.latent_mean!.data as Float32Array).map((v) => v * config.scaling_factor);
    expectGolden(
      new ort.Tensor('float32', scaled, out.latent_mean!.dims),
      goldenArray('vae.encode.latent_mean_times_scaling'),
      'mean × scaling_factor',
    );
  });

  it('the fused-attention decoder gives the same sample', async () => {
    const fused = await createSession(
      buildVaeDecoder(config, weights, { attention: 'fused' }).model,
      { provider: 'cpu' },
      'vae_decoder_fused',
    );
    const out = await fused.run({ latent_sample: floatTensor(goldenArray('vae.decode.decoder_input')) });
    expectGolden(out.sample, goldenArray('vae.decode.sample'), 'fused decoded sample');
    await fused.release();
  });
});
