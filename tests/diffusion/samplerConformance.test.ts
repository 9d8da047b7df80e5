/**
 * One conformance suite for every sampler × schedule × prediction type: timestep layout, determinism,
 * guidance order, img2img, abort, and an exact-denoiser check (a model that knows the clean latents must
 * land on them at the scheduler's final noise level).
 */
import { describe, expect, it } from 'vitest';
import { GaussianRng } from '../../server/diffusion/gaussianRng';
import { createNoiseSchedule, trainingSigmas } from '../../server/diffusion/noiseSchedule';
import { sample, type ModelCall } from '../../server/diffusion/sample';
import {
  createSampler,
  SAMPLER_NAMES,
  SCHEDULE_NAMES,
  samplerChoiceProblem,
} from '../../server/diffusion/samplerRegistry';
import { resolveSchedulerConfig, type PredictionType } from '../../server/diffusion/schedulerConfig';
import { SD_SCHEDULER_DEFAULTS } from '../../server/sd/weights/diffusersConfigs';

/** SD 1.5's scheduler_config.json. */
const sd15Config = SD_SCHEDULER_DEFAULTS;
const schedule = createNoiseSchedule(resolveSchedulerConfig('PNDMScheduler', sd15Config));
const sigmaTable = trainingSigmas(schedule);
const shape = [2, 4, 3, 5] as const;
const count = shape.reduce((a, b) => a * b, 1);

const combos = SAMPLER_NAMES.flatMap((sampler) =>
  SCHEDULE_NAMES.filter((s) => samplerChoiceProblem(sampler, s) === null).map((scheduler) => ({
    sampler,
    scheduler,
  })),
);

/** sigma(t) of the training schedule, log-linear between integer timesteps (inverse of Karras' sigma→t). */
function sigmaAt(t: number): number {
  const j = Math.min(Math.floor(t), sigmaTable.length - 2);
  const w = t - j;
  return Math.exp((1 - w) * Math.log(sigmaTable[j]) + w * Math.log(sigmaTable[j + 1]));
}

/**
 * An exact denoiser for data concentrated at `x0`: reads the model input as a·x0 + s·eps (a = 1/sqrt(1+σ²),
 * s = σ·a) and answers eps, v or x0. Under guidance it splits its answer over [uncond; cond] so that only
 * uncond + cfg·(cond - uncond) is exact, which also checks the half order.
 */
function exactDenoiser(x0: Float32Array, type: PredictionType, cfg: number) {
  return async (call: ModelCall): Promise<Float32Array> => {
    const sigma = sigmaAt(call.timestep);
    const a = 1 / Math.sqrt(1 + sigma * sigma);
    const s = sigma * a;
    const out = new Float32Array(call.sample.length);
    for (let i = 0; i < call.sample.length; i++) {
      const clean = x0[i % count];
      const eps = (call.sample[i] - a * clean) / s;
      const answer = type === 'epsilon' ? eps : type === 'v_prediction' ? a * eps - s * clean : clean;
      if (!call.guided) out[i] = answer;
      else out[i] = i < count ? answer + 1 : answer + 1 - 1 / cfg;
    }
    return out;
  };
}

/** Where an exact denoiser ends: the final noise level of each scheduler, as alphas_cumprod (1 = clean). */
function finalAlphaCumprod(sampler: string): number {
  return sampler === 'euler' || sampler === 'euler_ancestral' ? 1 : schedule.alphasCumprod[0];
}

describe.each(combos)('$sampler / $scheduler', ({ sampler, scheduler }) => {
  const make = () => createSampler(sampler, scheduler, sd15Config);

  it.each([1, 7, 20, 50])('lays out %i steps as decreasing timesteps inside the training range', (steps) => {
    const s = make();
    s.setTimesteps(steps);
    const ts = s.timesteps;
    // PLMS repeats its second timestep; DPM-Solver drops karras timesteps that round to the same integer
    if (sampler === 'pndm') expect(ts.length).toBe(steps > 1 ? steps + 1 : 1);
    else if (sampler === 'dpmpp_2m' && scheduler === 'karras') expect(ts.length).toBeGreaterThan(0.9 * steps);
    else expect(ts.length).toBe(steps);
    const deduped = sampler === 'pndm' && steps > 1 ? [ts[0], ...ts.slice(2)] : ts;
    if (sampler === 'pndm' && steps > 1) expect(ts[1]).toBe(ts[2]);
    for (let i = 1; i < deduped.length; i++) expect(deduped[i]).toBeLessThan(deduped[i - 1]);
    for (const t of ts) expect(t >= 0 && t <= 999).toBe(true);
    if (steps > 1) expect(s.initNoiseSigma).toBeGreaterThanOrEqual(1);
  });

  it('is deterministic for a seed; stochastic samplers vary with the seed', async () => {
    const model = async (call: ModelCall) =>
      call.sample.map((v, i) => 0.2 * v + Math.sin(i + call.timestep / 100));
    const run = (seed: number) =>
      sample({ model, schedulerConfig: sd15Config, sampler, scheduler, steps: 6, cfg: 3, shape, seed });
    const [a, b, c] = await Promise.all([run(11), run(11), run(12)]);
    expect(a).toEqual(b);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(a).not.toEqual(c);
    if (make().stochastic) {
      const noise = new GaussianRng(99).normal(count);
      const [d, e] = await Promise.all(
        [11, 12].map((seed) =>
          sample({
            model,
            schedulerConfig: sd15Config,
            sampler,
            scheduler,
            steps: 6,
            cfg: 3,
            shape,
            seed,
            noise,
          }),
        ),
      );
      expect(d).not.toEqual(e);
    }
  });

  const predictionTypes: PredictionType[] =
    sampler === 'pndm' ? ['epsilon', 'v_prediction'] : ['epsilon', 'v_prediction', 'sample'];
  it.each(predictionTypes)('an exact %s denoiser ends at the clean latents (with guidance)', async (type) => {
    const config = { ...sd15Config, prediction_type: type };
    const x0 = new GaussianRng(5).normal(count).map((v) => 0.5 * v);
    const noise = new GaussianRng(6).normal(count);
    const cfg = 4;
    let first = Number.NaN;
    let worstDenoised = 0;
    const model = exactDenoiser(x0, type, cfg);
    const final = await sample({
      model: async (call) => {
        if (Number.isNaN(first)) first = call.timestep;
        return model(call);
      },
      schedulerConfig: config,
      sampler,
      scheduler,
      steps: 20,
      cfg,
      shape,
      noise,
      seed: 3,
      onStep: (_step, _total, _x, denoised) => {
        for (let i = 0; i < count; i++)
          worstDenoised = Math.max(worstDenoised, Math.abs(denoised[i] - x0[i]));
      },
    });
    expect(worstDenoised).toBeLessThan(2e-4);
    // x_T = noise·init_sigma; an exact denoiser keeps x - a·x0 ∝ s, so x_end = a_end·x0 + (s_end/s_T)(x_T - a_T·x0)
    const s = createSampler(sampler, scheduler, config);
    s.setTimesteps(20);
    const sigmaT = sigmaAt(first);
    const aT = sampler.startsWith('euler') ? 1 : 1 / Math.sqrt(1 + sigmaT * sigmaT);
    const sT = sampler.startsWith('euler') ? sigmaT : sigmaT * aT;
    const acpEnd = finalAlphaCumprod(sampler);
    const aEnd = Math.sqrt(acpEnd);
    const sEnd = Math.sqrt(1 - acpEnd);
    let worst = 0;
    for (let i = 0; i < count; i++) {
      const expected = aEnd * x0[i] + (sEnd / sT) * (noise[i] * s.initNoiseSigma - aT * x0[i]);
      worst = Math.max(worst, Math.abs(final[i] - expected));
    }
    // diffusers' PLMS combines raw v outputs of different timesteps before converting them to eps, so an
    // exact v denoiser is only approximately preserved there (kept: the reference data is made that way)
    const tolerance = sampler === 'pndm' && type === 'v_prediction' ? 2e-2 : 2e-4;
    expect(worst).toBeLessThan(tolerance);
  });

  it('img2img: denoise runs only the tail of the timesteps, starting from the noised image', async () => {
    const full = make();
    full.setTimesteps(10);
    const calls: number[] = [];
    const image = new Float32Array(count).fill(0.25);
    const final = await sample({
      model: async (call) => {
        calls.push(call.timestep);
        return new Float32Array(call.sample.length);
      },
      schedulerConfig: sd15Config,
      sampler,
      scheduler,
      steps: 10,
      cfg: 1,
      shape,
      seed: 1,
      latentImage: image,
      denoise: 0.5,
    });
    const tail = full.timesteps.slice(full.timesteps.length - 5);
    if (sampler === 'pndm') expect(calls).toEqual([tail[0], ...tail.slice(1, 2), ...tail.slice(1)]);
    else expect(calls).toEqual(tail);
    expect(final.every(Number.isFinite)).toBe(true);
  });

  it('stops at an aborted signal and reports every finished step', async () => {
    const controller = new AbortController();
    const seen: [number, number][] = [];
    const run = sample({
      model: async (call) => new Float32Array(call.sample.length),
      schedulerConfig: sd15Config,
      sampler,
      scheduler,
      steps: 8,
      cfg: 1,
      shape,
      seed: 1,
      signal: controller.signal,
      onStep: (step, total) => {
        seen.push([step, total]);
        if (step === 3) controller.abort(new Error('interrupted'));
      },
    });
    await expect(run).rejects.toThrow('interrupted');
    const total = sampler === 'pndm' ? 9 : 8;
    expect(seen).toEqual([1, 2, 3].map((s) => [s, total]));
  });
});

describe('DDIM with eta > 0', () => {
  it('injects seeded noise every step yet still ends near the clean latents of an exact denoiser', async () => {
    const x0 = new GaussianRng(5).normal(count).map((v) => 0.5 * v);
    const noise = new GaussianRng(6).normal(count);
    const run = (seed: number) =>
      sample({
        model: exactDenoiser(x0, 'epsilon', 1),
        schedulerConfig: sd15Config,
        sampler: 'ddim',
        scheduler: 'normal',
        steps: 20,
        cfg: 1,
        shape,
        noise,
        seed,
        eta: 1,
      });
    const [a, b, c] = await Promise.all([run(1), run(1), run(2)]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // the last DDIM step lands at alphas_cumprod[0]: x = a0·x0 + s0·eps with s0 = sqrt(1 - acp[0]) ≈ 0.03
    const acp0 = schedule.alphasCumprod[0];
    const residual = a.map((v, i) => (v - Math.sqrt(acp0) * x0[i]) / Math.sqrt(1 - acp0));
    const std = Math.sqrt(residual.reduce((sum, r) => sum + r * r, 0) / count);
    expect(std).toBeGreaterThan(0.5);
    expect(std).toBeLessThan(1.5);
    expect(createSampler('ddim', 'normal', sd15Config, { eta: 1 }).stochastic).toBe(true);
    expect(createSampler('ddim', 'normal', sd15Config).stochastic).toBe(false);
  });
});

describe('sampler registry', () => {
  it('names the valid samplers and schedulers on a typo', () => {
    expect(() => createSampler('eulr', 'normal', sd15Config)).toThrow(
      'unknown sampler "eulr"; expected one of euler, euler_ancestral, ddim, dpmpp_2m, pndm',
    );
    expect(samplerChoiceProblem('euler', 'karas')).toBe(
      'unknown scheduler "karas"; expected one of normal, karras',
    );
    expect(samplerChoiceProblem('ddim', 'karras')).toBe(
      'scheduler "karras" does not apply to sampler "ddim"; use "normal", or one of euler, euler_ancestral, dpmpp_2m',
    );
  });

  it('karras spaces the sigmas differently but keeps the end points', () => {
    const normal = createSampler('euler', 'normal', sd15Config);
    const karras = createSampler('euler', 'karras', sd15Config);
    normal.setTimesteps(10);
    karras.setTimesteps(10);
    const n = normal.sigmas ?? new Float32Array();
    const k = karras.sigmas ?? new Float32Array();
    expect(k[0]).toBeCloseTo(n[0], 4);
    expect(k[9]).toBeCloseTo(n[9], 5);
    expect(k[10]).toBe(0);
    // rho = 7 concentrates steps at low noise: the middle sigma is well below the linear-in-t one
    expect(k[5]).toBeLessThan(0.75 * n[5]);
  });

  it('refuses bad step counts and runs outside the schedule with the fix', () => {
    const s = createSampler('ddim', 'normal', sd15Config);
    expect(() => s.setTimesteps(0)).toThrow('steps must be a positive integer, got 0');
    expect(() => s.setTimesteps(4, 0)).toThrow('a run of 0 timesteps needs 1 to 4');
    expect(() => s.setTimesteps(4, 5)).toThrow('a run of 5 timesteps needs 1 to 4');
    expect(() => createSampler('pndm', 'normal', { ...sd15Config, prediction_type: 'sample' })).toThrow(
      /PNDM supports/,
    );
  });
});
