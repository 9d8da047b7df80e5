import { latentToRgbPreview } from '../../server/image/latentPreview';
import { previewJpeg } from '../../server/image/previewJpeg';
import { SAMPLER_NAMES, samplerChoiceProblem, SCHEDULE_NAMES } from '../../server/diffusion/samplerRegistry';
import { defineNode, type PreviewImage } from '../../server/engine/nodeDefinition';
import { expectConditioning, expectFrozenModel, expectLatent, expectNoise } from '../nodeValues';
import { latentForModel, runKSampler } from '../../server/sd/model/sampling';

/** A JPEG of the first latent of the batch, projected to RGB. */
async function latentPreview(denoised: Float32Array, shape: readonly number[]): Promise<PreviewImage> {
  const [, c, h, w] = shape as [number, number, number, number];
  const first = latentToRgbPreview(denoised.subarray(0, c * h * w), [1, c, h, w]);
  return { format: 'JPEG', data: await previewJpeg(first, 80) };
}

/** Denoises latents with the checkpoint's UNet (classifier-free guidance), reporting every step with a preview. */
/** A seed as the sampler's RNG takes it: exact up to 2^53, then the double's value modulo 2^64. */
function seedBits(seed: unknown): number | bigint {
  const n = Number(seed);
  return Number.isSafeInteger(n) ? n : BigInt.asUintN(64, BigInt(Math.trunc(n)));
}

export const kSampler = defineNode({
  type: 'KSampler',
  displayName: 'KSampler',
  category: 'sampling',
  description:
    'Samples latents from noise (or from an encoded image when denoise < 1), guided by the prompts. As in ComfyUI, denoise d runs all steps over the tail of a steps / d schedule.',
  inputs: {
    required: {
      model: ['MODEL'],
      seed: [
        'INT',
        {
          default: 0,
          min: 0,
          // ComfyUI's 0xffffffffffffffff; as a double it is 2^64, and JSON carries no more precision
          max: 2 ** 64 - 1,
          control_after_generate: true,
          tooltip: 'Seed of the noise.',
        },
      ],
      steps: ['INT', { default: 20, min: 1, max: 10000 }],
      cfg: [
        'FLOAT',
        {
          default: 8.0,
          min: 0,
          max: 100,
          step: 0.1,
          round: 0.01,
          tooltip: 'Guidance scale; 1 or less turns guidance off.',
        },
      ],
      sampler_name: [SAMPLER_NAMES, { default: 'euler' }],
      scheduler: [SCHEDULE_NAMES, { default: 'normal' }],
      positive: ['CONDITIONING'],
      negative: ['CONDITIONING'],
      latent_image: ['LATENT'],
      denoise: ['FLOAT', { default: 1.0, min: 0, max: 1, step: 0.01 }],
    },
    optional: {
      noise: ['NOISE', { tooltip: 'Starting noise instead of the noise drawn from the seed.' }],
    },
  },
  outputs: [{ type: 'LATENT' }],
  validateInputs: (inputs) => {
    if (typeof inputs.sampler_name === 'string' && typeof inputs.scheduler === 'string') {
      const problem = samplerChoiceProblem(inputs.sampler_name, inputs.scheduler);
      if (problem) return problem;
    }
    return true;
  },
  execute: async (inputs, ctx) => {
    const model = expectFrozenModel(inputs.model, 'model');
    const latent = latentForModel(model, expectLatent(inputs.latent_image, 'latent_image'));
    const result = await runKSampler(model, {
      positive: expectConditioning(inputs.positive, 'positive'),
      negative: expectConditioning(inputs.negative, 'negative'),
      latent,
      seed: seedBits(inputs.seed),
      steps: Number(inputs.steps),
      cfg: Number(inputs.cfg),
      samplerName: String(inputs.sampler_name),
      scheduler: String(inputs.scheduler),
      denoise: Number(inputs.denoise),
      noise: inputs.noise === undefined ? undefined : expectNoise(inputs.noise, 'noise', latent.shape),
      signal: ctx.signal,
      onStep: async (step, total, denoised) => {
        ctx.progress(step, total, await latentPreview(denoised, latent.shape));
      },
    });
    return { outputs: [result] };
  },
});
