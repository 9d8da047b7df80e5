/** Golden `schedulers` section: tables, timesteps, sigmas, add_noise / get_velocity and step sequences. */
import { describe, expect, it } from 'vitest';
import { addNoise, createNoiseSchedule, getVelocity } from '../../server/diffusion/noiseSchedule';
import { createSchedulerByKind } from '../../server/diffusion/samplerRegistry';
import type { Scheduler } from '../../server/diffusion/scheduler';
import {
  classConfigKeys,
  resolveSchedulerConfig,
  SCHEDULER_KINDS,
  type SchedulerKind,
} from '../../server/diffusion/schedulerConfig';
import { worstExcess } from '../support/arrayCompare';
import {
  datasetJson,
  datasetName,
  golden,
  goldenArray,
  goldenNumbers,
  goldenValue,
  slice0,
} from '../support/referenceData';

const configFile: unknown = datasetJson('model/scheduler/scheduler_config.json');
const schedulers = goldenValue('schedulers') as Record<string, unknown>;
const kinds = SCHEDULER_KINDS.filter((k) => k in schedulers);
const sequenceKinds = SCHEDULER_KINDS.filter(
  (k) => k in (schedulers.step_sequences as Record<string, unknown>),
);
const integerTimesteps = (kind: SchedulerKind) =>
  !(kind === 'EulerDiscreteScheduler' || kind === 'EulerAncestralDiscreteScheduler');

describe(`scheduler tables (${datasetName})`, () => {
  it('covers every scheduler the dataset records', () => {
    expect(kinds.length).toBeGreaterThanOrEqual(5);
    expect(sequenceKinds).toEqual(kinds);
  });

  it('parses the model scheduler config to the golden meta config', () => {
    expect(resolveSchedulerConfig('PNDMScheduler', configFile).prediction_type).toBe(
      (golden().meta as { scheduler_config: { prediction_type: string } }).scheduler_config.prediction_type,
    );
  });

  it.each(['betas', 'alphas_cumprod'])('%s within 1e-5 relative', (name) => {
    const schedule = createNoiseSchedule(resolveSchedulerConfig('DDIMScheduler', configFile));
    const ours = name === 'betas' ? schedule.betas : schedule.alphasCumprod;
    expect(worstExcess(ours, goldenArray(`schedulers.${name}`).data, 0, 1e-5)).toBeLessThanOrEqual(0);
  });

  it.each(kinds)('%s resolves the config diffusers resolved', (kind) => {
    const ours = resolveSchedulerConfig(kind, configFile) as unknown as Record<string, unknown>;
    const theirs = goldenValue(`schedulers.${kind}.resolved_config`) as Record<string, unknown>;
    for (const key of classConfigKeys(kind))
      expect({ key, value: ours[key] }).toEqual({ key, value: theirs[key] });
  });

  describe.each(kinds)('%s', (kind) => {
    it.each(['steps_20', 'steps_50'])('%s: timesteps, sigmas, init_noise_sigma', (entry) => {
      const scheduler = createSchedulerByKind(kind, configFile);
      const steps = Number(entry.split('_')[1]);
      scheduler.setTimesteps(steps);
      const expected = goldenNumbers(`schedulers.${kind}.${entry}.timesteps`);
      if (integerTimesteps(kind)) expect(scheduler.timesteps).toEqual(expected);
      else expect(worstExcess(scheduler.timesteps, expected, 1e-4, 0)).toBeLessThanOrEqual(0);
      const init = Number(goldenValue(`schedulers.${kind}.${entry}.init_noise_sigma`));
      expect(Math.abs(scheduler.initNoiseSigma - init)).toBeLessThanOrEqual(1e-5 * init);
      const sigmasNode = (goldenValue(`schedulers.${kind}.${entry}`) as Record<string, unknown>).sigmas;
      if (sigmasNode !== undefined) {
        const sigmas = goldenNumbers(`schedulers.${kind}.${entry}.sigmas`);
        expect(scheduler.sigmas).not.toBeNull();
        expect(worstExcess(scheduler.sigmas ?? [], sigmas, 0, 1e-5)).toBeLessThanOrEqual(0);
      }
    });
  });
});

describe('DDPM add_noise / get_velocity', () => {
  const schedule = createNoiseSchedule(resolveSchedulerConfig('DDIMScheduler', configFile));
  const cases = ['DDPMScheduler_add_noise', 'DDPMScheduler_get_velocity'].filter((k) => k in schedulers);

  it.each(cases)('%s matches per timestep', (name) => {
    const original = goldenArray(`schedulers.${name}.original`).data;
    const noise = goldenArray(`schedulers.${name}.noise`).data;
    const timesteps = goldenNumbers(`schedulers.${name}.timesteps`);
    const expected = goldenArray(`schedulers.${name}.${name.endsWith('add_noise') ? 'noisy' : 'velocity'}`);
    timesteps.forEach((t, i) => {
      const ours = name.endsWith('add_noise')
        ? addNoise(schedule, original, noise, [t])
        : getVelocity(schedule, original, noise, [t]);
      expect(worstExcess(ours, slice0(expected, i), 1e-6, 1e-5)).toBeLessThanOrEqual(0);
    });
  });
});

describe('step sequences (no network)', () => {
  const seq = 'schedulers.step_sequences';
  const steps = Number(goldenValue(`${seq}.num_inference_steps`));
  const xInit = goldenArray(`${seq}.x_init_unscaled`).data;
  const outputs = goldenArray(`${seq}.model_outputs`);

  function recordedNoise(kind: SchedulerKind): ((n: number) => Float32Array) | undefined {
    const node = goldenValue(`${seq}.${kind}`) as Record<string, unknown>;
    if (!('ancestral_noises' in node)) return undefined;
    const noises = goldenArray(`${seq}.${kind}.ancestral_noises`);
    let k = 0;
    return () => slice0(noises, k++);
  }

  it.each(sequenceKinds)('%s follows the golden trajectory step by step', (kind) => {
    const scheduler: Scheduler = createSchedulerByKind(kind, configFile);
    scheduler.setTimesteps(steps);
    const timesteps = goldenNumbers(`${seq}.${kind}.timesteps`);
    expect(scheduler.timesteps.length).toBe(timesteps.length);
    const scaled = goldenArray(`${seq}.${kind}.scaled_model_inputs`);
    const trajectory = goldenArray(`${seq}.${kind}.trajectory`);
    const noise = recordedNoise(kind);
    let x: Float32Array = xInit.map((v) => v * scheduler.initNoiseSigma);
    scheduler.timesteps.forEach((t, k) => {
      const input = scheduler.scaleModelInput(x, t);
      expect({ k, excess: worstExcess(input, slice0(scaled, k), 1e-5, 1e-5) <= 0 }).toEqual({
        k,
        excess: true,
      });
      x = scheduler.step(slice0(outputs, k), t, x, noise);
      expect({ k, excess: worstExcess(x, slice0(trajectory, k), 1e-5, 1e-5) <= 0 }).toEqual({
        k,
        excess: true,
      });
    });
    expect(worstExcess(x, goldenArray(`${seq}.${kind}.final`).data, 1e-5, 1e-5)).toBeLessThanOrEqual(0);
  });
});
