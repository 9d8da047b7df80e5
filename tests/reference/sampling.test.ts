/**
 * Golden `sampling`: full 10-step guided runs of the dataset's ONNX UNet through our sampling loop, then the
 * ONNX VAE decoder. The UNet is called directly with onnxruntime-node, as any UNet implementation would be.
 */
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sample, type ModelCall } from '../../server/diffusion/sample';
import { SAMPLER_NAMES, schedulerKindOf } from '../../server/diffusion/samplerRegistry';
import { maxAbs, worstExcess } from '../support/arrayCompare';
import {
  datasetJson,
  datasetName,
  datasetPath,
  goldenArray,
  goldenNumbers,
  goldenValue,
  slice0,
} from '../support/referenceData';

const schedulerConfig: unknown = datasetJson('model/scheduler/scheduler_config.json');
const vaeConfig = z.looseObject({ scaling_factor: z.number() }).parse(datasetJson('model/vae/config.json'));
const runs = goldenValue('sampling') as Record<string, unknown>;
const cases = SAMPLER_NAMES.map((name) => ({ name, kind: schedulerKindOf(name) })).filter(
  ({ kind }) => kind in runs,
);

let unet: ort.InferenceSession;
let decoder: ort.InferenceSession;

beforeAll(async () => {
  unet = await ort.InferenceSession.create(datasetPath('onnx/unet/model.onnx'));
  decoder = await ort.InferenceSession.create(datasetPath('onnx/vae_decoder/model.onnx'));
});
afterAll(async () => {
  await unet?.release();
  await decoder?.release();
});

/** encoder_hidden_states for a [uncond; cond] batch (or cond alone without guidance). */
function conditioning(guided: boolean): ort.Tensor {
  const cond = goldenArray('sampling.cond_embeddings');
  const uncond = goldenArray('sampling.uncond_embeddings');
  const data = guided ? Float32Array.from([...uncond.data, ...cond.data]) : cond.data;
  return new ort.Tensor('float32', data, [guided ? 2 : 1, ...cond.shape.slice(1)]);
}

async function runUnet(call: ModelCall): Promise<Float32Array> {
  const batch = call.shape[0];
  const result = await unet.run({
    sample: new ort.Tensor('float32', call.sample, [...call.shape]),
    timestep: new ort.Tensor('float32', new Float32Array(batch).fill(call.timestep), [batch]),
    encoder_hidden_states: conditioning(call.guided),
  });
  return result.out_sample.data as Float32Array;
}

describe(`10-step guided sampling with the ONNX UNet (${datasetName})`, () => {
  it('covers the DDIM, Euler and DPM-Solver runs of the dataset', () => {
    expect(cases.map((c) => c.kind).sort()).toEqual(
      ['DDIMScheduler', 'DPMSolverMultistepScheduler', 'EulerDiscreteScheduler']
        .filter((k) => k in runs)
        .sort(),
    );
    expect(cases.length).toBeGreaterThanOrEqual(3);
  });

  it.each(cases)(
    '$name ($kind): latents per step, final latents and decoded image',
    async ({ name, kind }) => {
      const init = goldenArray('sampling.init_latents_unscaled');
      const perStep = goldenArray(`sampling.${kind}.latents_per_step`);
      const timesteps: number[] = [];
      const stepErrors: number[] = [];
      const latents = await sample({
        model: async (call) => {
          timesteps.push(call.timestep);
          return runUnet(call);
        },
        schedulerConfig,
        sampler: name,
        scheduler: 'normal',
        steps: Number(goldenValue('sampling.num_inference_steps')),
        cfg: Number(goldenValue('sampling.guidance_scale')),
        shape: init.shape,
        noise: init.data,
        onStep: (step, _total, x) => {
          const expected = slice0(perStep, step - 1);
          stepErrors.push(worstExcess(x, expected, 1e-3 * maxAbs(expected), 0));
        },
      });
      // integer timesteps exactly; Euler's fractional float32 ones within 1e-4
      expect(
        worstExcess(timesteps, goldenNumbers(`sampling.${kind}.timesteps`), 1e-4, 0),
      ).toBeLessThanOrEqual(0);
      if (kind !== 'EulerDiscreteScheduler')
        expect(timesteps).toEqual(goldenNumbers(`sampling.${kind}.timesteps`));
      expect(stepErrors.length).toBe(perStep.shape[0]);
      for (const excess of stepErrors) expect(excess).toBeLessThanOrEqual(0);
      const finalLatents = goldenArray(`sampling.${kind}.final_latents`).data;
      expect(worstExcess(latents, finalLatents, 1e-3 * maxAbs(finalLatents), 0)).toBeLessThanOrEqual(0);

      const decoded = await decoder.run({
        latent_sample: new ort.Tensor(
          'float32',
          latents.map((v) => v / vaeConfig.scaling_factor),
          [...init.shape],
        ),
      });
      const expected = goldenArray(`sampling.${kind}.decoded_raw`);
      expect(decoded.sample.dims).toEqual(expected.shape);
      expect(worstExcess(decoded.sample.data as Float32Array, expected.data, 2e-3, 0)).toBeLessThanOrEqual(0);
    },
  );
});
