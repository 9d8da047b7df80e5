/**
 * diffusers `scheduler_config.json` parsing. A model ships ONE config (SD 1.5: a PNDMScheduler dict); every
 * other scheduler is built from it with `from_config`, so keys the dict lacks take that scheduler class's
 * own defaults (diffusers 0.21.4) — notably `timestep_spacing`: "leading" for DDIM/PNDM, "linspace" for the
 * Euler and DPM-Solver schedulers.
 */
import { z } from 'zod';

/** diffusers scheduler class names this module implements. */
export const SCHEDULER_KINDS = [
  'DDIMScheduler',
  'EulerDiscreteScheduler',
  'EulerAncestralDiscreteScheduler',
  'DPMSolverMultistepScheduler',
  'PNDMScheduler',
] as const;
export type SchedulerKind = (typeof SCHEDULER_KINDS)[number];

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';
export type TimestepSpacing = 'linspace' | 'leading' | 'trailing';

/** A diffusers scheduler config as found on disk; unknown keys are kept and ignored. */
export const schedulerConfigFileSchema = z.looseObject({
  _class_name: z.string().optional(),
  num_train_timesteps: z.number().int().positive().optional(),
  beta_start: z.number().positive().optional(),
  beta_end: z.number().positive().optional(),
  beta_schedule: z.enum(['linear', 'scaled_linear', 'squaredcos_cap_v2']).optional(),
  trained_betas: z.array(z.number()).nullable().optional(),
  steps_offset: z.number().int().nonnegative().optional(),
  timestep_spacing: z.enum(['linspace', 'leading', 'trailing']).optional(),
  prediction_type: z.enum(['epsilon', 'v_prediction', 'sample']).optional(),
  set_alpha_to_one: z.boolean().optional(),
  clip_sample: z.boolean().optional(),
  clip_sample_range: z.number().positive().optional(),
  skip_prk_steps: z.boolean().optional(),
  rescale_betas_zero_snr: z.boolean().optional(),
  thresholding: z.boolean().optional(),
  use_karras_sigmas: z.boolean().nullable().optional(),
  interpolation_type: z.enum(['linear', 'log_linear']).optional(),
  solver_order: z.number().int().optional(),
  algorithm_type: z.string().optional(),
  solver_type: z.string().optional(),
  lower_order_final: z.boolean().optional(),
});
export type SchedulerConfigFile = z.infer<typeof schedulerConfigFileSchema>;

/** Every setting a scheduler here reads, resolved (diffusers key names, so it compares 1:1 with diffusers). */
export interface ResolvedSchedulerConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: BetaSchedule;
  trained_betas: number[] | null;
  steps_offset: number;
  timestep_spacing: TimestepSpacing;
  prediction_type: PredictionType;
  set_alpha_to_one: boolean;
  clip_sample: boolean;
  clip_sample_range: number;
  rescale_betas_zero_snr: boolean;
  skip_prk_steps: boolean;
  use_karras_sigmas: boolean;
  solver_order: number;
  lower_order_final: boolean;
}

const COMMON_DEFAULTS = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  steps_offset: 0,
  prediction_type: 'epsilon',
} as const;

/**
 * Class defaults of diffusers 0.21.4, restricted to the keys each class has in its `__init__`; keys listed
 * here are also the ones a resolved config is compared on against diffusers' own `scheduler.config`.
 */
const CLASS_DEFAULTS: Record<SchedulerKind, Partial<ResolvedSchedulerConfig>> = {
  DDIMScheduler: {
    ...COMMON_DEFAULTS,
    clip_sample: true,
    set_alpha_to_one: true,
    clip_sample_range: 1.0,
    timestep_spacing: 'leading',
    rescale_betas_zero_snr: false,
  },
  EulerDiscreteScheduler: { ...COMMON_DEFAULTS, use_karras_sigmas: false, timestep_spacing: 'linspace' },
  EulerAncestralDiscreteScheduler: { ...COMMON_DEFAULTS, timestep_spacing: 'linspace' },
  DPMSolverMultistepScheduler: {
    ...COMMON_DEFAULTS,
    solver_order: 2,
    lower_order_final: true,
    use_karras_sigmas: false,
    timestep_spacing: 'linspace',
  },
  PNDMScheduler: {
    ...COMMON_DEFAULTS,
    skip_prk_steps: false,
    set_alpha_to_one: false,
    timestep_spacing: 'leading',
  },
};

/** Values for keys a class does not have (they do not change its behaviour). */
const INERT: ResolvedSchedulerConfig = {
  ...COMMON_DEFAULTS,
  trained_betas: null,
  timestep_spacing: 'linspace',
  set_alpha_to_one: false,
  clip_sample: false,
  clip_sample_range: 1.0,
  rescale_betas_zero_snr: false,
  skip_prk_steps: true,
  use_karras_sigmas: false,
  solver_order: 2,
  lower_order_final: true,
};

/** The diffusers config keys a scheduler class declares (what `resolved_config` is compared on). */
export function classConfigKeys(kind: SchedulerKind): (keyof ResolvedSchedulerConfig)[] {
  return Object.keys(CLASS_DEFAULTS[kind]) as (keyof ResolvedSchedulerConfig)[];
}

/** Parses a raw config (e.g. `model/scheduler/scheduler_config.json` contents); throws naming the bad key. */
export function parseSchedulerConfigFile(raw: unknown): SchedulerConfigFile {
  const parsed = schedulerConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid scheduler config: ${issues}; fix scheduler_config.json (diffusers format)`);
  }
  return parsed.data;
}

/**
 * Resolves the config a `kind.from_config(file)` would get in diffusers 0.21.4: keys the class declares come
 * from the file, else from the class defaults. `overrides` (e.g. `use_karras_sigmas`) win over both.
 */
export function resolveSchedulerConfig(
  kind: SchedulerKind,
  file: unknown,
  overrides: Partial<ResolvedSchedulerConfig> = {},
): ResolvedSchedulerConfig {
  const parsed = parseSchedulerConfigFile(file);
  const defaults = CLASS_DEFAULTS[kind];
  const resolved: ResolvedSchedulerConfig = { ...INERT, ...defaults };
  const target = resolved as unknown as Record<string, unknown>;
  const source = parsed as Record<string, unknown>;
  for (const key of Object.keys(defaults)) {
    const value = source[key];
    if (value !== undefined) target[key] = key === 'use_karras_sigmas' ? value === true : value;
  }
  Object.assign(resolved, overrides);
  if (parsed.thresholding === true && kind === 'DDIMScheduler') {
    throw new Error(
      'scheduler config sets thresholding: true, which is for pixel-space models; set it to false',
    );
  }
  if (kind === 'EulerDiscreteScheduler' && parsed.interpolation_type === 'log_linear') {
    throw new Error('Euler interpolation_type "log_linear" is not supported; use "linear" (the default)');
  }
  if (kind === 'DPMSolverMultistepScheduler') {
    checkDpmOption('algorithm_type', parsed.algorithm_type, 'dpmsolver++');
    checkDpmOption('solver_type', parsed.solver_type, 'midpoint');
    if (resolved.solver_order !== 1 && resolved.solver_order !== 2) {
      throw new Error(`DPM-Solver solver_order ${resolved.solver_order} is not supported; use 1 or 2`);
    }
  }
  return resolved;
}

function checkDpmOption(key: string, value: string | undefined, supported: string): void {
  if (value !== undefined && value !== supported) {
    throw new Error(`DPM-Solver ${key} "${value}" is not supported; use "${supported}"`);
  }
}
