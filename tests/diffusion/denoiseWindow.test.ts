/**
 * `denoise` read two ways, checked against timestep lists derived by hand from SD 1.5's scheduler config
 * (1000 training steps, steps_offset 1; DDIM/PNDM "leading", Euler/DPM-Solver "linspace"): ComfyUI's KSampler
 * runs `steps` steps over the tail of a trunc(steps / denoise)-step schedule, diffusers' img2img `strength`
 * runs the last floor(steps · strength) steps of a `steps`-step schedule.
 */
import { describe, expect, it } from 'vitest';
import {
  comfyDenoiseWindow,
  strengthWindow,
  type DenoiseSemantics,
} from '../../server/diffusion/denoiseWindow';
import { sample } from '../../server/diffusion/sample';
import { SD_SCHEDULER_DEFAULTS } from '../../server/sd/weights/diffusersConfigs';

const shape: readonly number[] = [1, 4, 2, 2];
const count = shape.reduce((a, b) => a * b, 1);

/** The timesteps the model is called with for steps 10, denoise 0.5 from a latent image. */
async function calledTimesteps(sampler: string, semantics: DenoiseSemantics): Promise<number[]> {
  const calls: number[] = [];
  await sample({
    model: async (call) => {
      calls.push(call.timestep);
      return new Float32Array(call.sample.length);
    },
    schedulerConfig: SD_SCHEDULER_DEFAULTS,
    sampler,
    scheduler: 'normal',
    steps: 10,
    cfg: 1,
    shape,
    seed: 1,
    latentImage: new Float32Array(count).fill(0.25),
    denoise: 0.5,
    denoiseSemantics: semantics,
  });
  return calls;
}

describe('denoise windows', () => {
  it.each([
    // [steps, denoise, schedule steps, run]
    [10, 1, 10, 10],
    [20, 0.99995, 20, 20], // above 0.9999 ComfyUI takes the whole schedule
    [10, 0.5, 20, 10],
    [10, 0.7, 14, 10], // trunc(14.29)
    [10, 0.3, 33, 10], // trunc(33.3)
    [3, 0.6, 5, 3], // 3 / 0.6 is 5.000000000000001 in float64, as in Python
    [10, 0, 10, 0], // no step: the latent comes back unchanged
  ])('ComfyUI: steps %i, denoise %f → the last %i of %i', (steps, denoise, scheduleSteps, run) => {
    expect(comfyDenoiseWindow(steps, denoise)).toEqual({ scheduleSteps, run });
  });

  it.each([
    [10, 1, 10, 10],
    [10, 0.5, 10, 5],
    [10, 0.75, 10, 7], // floor(7.5)
    [20, 0.99995, 20, 19],
  ])('diffusers: steps %i, strength %f → the last %i of %i', (steps, strength, scheduleSteps, run) => {
    expect(strengthWindow(steps, strength)).toEqual({ scheduleSteps, run });
  });

  it('refuses values outside the range and strengths that run no step, with the fix', () => {
    expect(() => comfyDenoiseWindow(10, 1.5)).toThrow('denoise must be in [0, 1], got 1.5');
    expect(() => comfyDenoiseWindow(0, 0.5)).toThrow('steps must be a positive integer, got 0');
    expect(() => strengthWindow(4, 0.1)).toThrow(
      /denoise 0.1 with 4 steps runs no step; raise denoise to at least 0.25/,
    );
    expect(() => strengthWindow(4, 1.5)).toThrow('denoise must be in (0, 1], got 1.5');
  });
});

describe('sample() with steps 10, denoise 0.5', () => {
  // ComfyUI: the last 10 of 20. DDIM/PNDM "leading": 951, 901, …, 1 (stride 50); DPM-Solver: linspace(0, 999,
  // 21) rounded half to even, reversed, without 0 (499.5 → 500); Euler: 999·k/19 for k = 9 … 0. PNDM repeats
  // its second timestep.
  const comfy: Record<string, number[]> = {
    ddim: [451, 401, 351, 301, 251, 201, 151, 101, 51, 1],
    pndm: [451, 401, 401, 351, 301, 251, 201, 151, 101, 51, 1],
    dpmpp_2m: [500, 450, 400, 350, 300, 250, 200, 150, 100, 50],
    euler: [473.2105, 420.6316, 368.0526, 315.4737, 262.8947, 210.3158, 157.7368, 105.1579, 52.5789, 0],
  };
  // diffusers: the last 5 of 10. DDIM/PNDM stride 100 from 1; DPM-Solver linspace(0, 999, 11); Euler 111·k.
  const diffusers: Record<string, number[]> = {
    ddim: [401, 301, 201, 101, 1],
    pndm: [401, 301, 301, 201, 101, 1],
    dpmpp_2m: [500, 400, 300, 200, 100],
    euler: [444, 333, 222, 111, 0],
  };

  it.each(Object.keys(comfy))(
    '%s: ComfyUI semantics run all 10 steps over the tail of 20',
    async (sampler) => {
      const calls = await calledTimesteps(sampler, 'comfyui');
      expect(calls).toHaveLength(comfy[sampler]!.length);
      calls.forEach((t, i) => expect(t).toBeCloseTo(comfy[sampler]![i]!, 3));
    },
  );

  it.each(Object.keys(diffusers))('%s: diffusers semantics run the last 5 of 10', async (sampler) => {
    const calls = await calledTimesteps(sampler, 'diffusers');
    expect(calls).toHaveLength(diffusers[sampler]!.length);
    calls.forEach((t, i) => expect(t).toBeCloseTo(diffusers[sampler]![i]!, 3));
  });

  it('ComfyUI denoise 0 returns the latent image unchanged without calling the model', async () => {
    const image = Float32Array.from({ length: count }, (_, i) => i / 10);
    const out = await sample({
      model: () => Promise.reject(new Error('the model must not run at denoise 0')),
      schedulerConfig: SD_SCHEDULER_DEFAULTS,
      sampler: 'euler',
      scheduler: 'normal',
      steps: 10,
      cfg: 7,
      shape,
      seed: 1,
      latentImage: image,
      denoise: 0,
      denoiseSemantics: 'comfyui',
    });
    expect(out).toEqual(image);
  });

  it('says which denoise a schedule longer than the training timesteps needs', async () => {
    const run = sample({
      model: async (call) => new Float32Array(call.sample.length),
      schedulerConfig: SD_SCHEDULER_DEFAULTS,
      sampler: 'ddim',
      scheduler: 'normal',
      steps: 20,
      cfg: 1,
      shape,
      seed: 1,
      latentImage: new Float32Array(count),
      denoise: 0.01,
      denoiseSemantics: 'comfyui',
    });
    await expect(run).rejects.toThrow(
      "denoise 0.01 with 20 steps needs a 2000-step schedule, more than the model's 1000 timesteps; raise denoise to at least 0.02",
    );
  });
});
