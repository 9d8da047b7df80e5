/**
 * ComfyUI names → schedulers. `sampler_name` picks the algorithm, `scheduler` the sigma spacing ("normal" =
 * the model config's own spacing, "karras" = `use_karras_sigmas`, for the sigma-based samplers only).
 */
import { DdimScheduler } from './ddimScheduler';
import { DpmSolverMultistepScheduler } from './dpmSolverScheduler';
import { EulerAncestralScheduler, EulerScheduler } from './eulerScheduler';
import { PndmScheduler } from './pndmScheduler';
import type { Scheduler } from './scheduler';
import { resolveSchedulerConfig, type ResolvedSchedulerConfig, type SchedulerKind } from './schedulerConfig';

/** ComfyUI `sampler_name` values this studio supports. */
export const SAMPLER_NAMES = ['euler', 'euler_ancestral', 'ddim', 'dpmpp_2m', 'pndm'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** ComfyUI `scheduler` values this studio supports. */
export const SCHEDULE_NAMES = ['normal', 'karras'] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

interface SamplerEntry {
  kind: SchedulerKind;
  supportsKarras: boolean;
  create(config: ResolvedSchedulerConfig, options: SchedulerOptions): Scheduler;
}

/** Per-run options beyond the model's config. */
export interface SchedulerOptions {
  /** DDIM only: 0 (default) is deterministic; 1 is DDPM-like ancestral sampling. */
  eta?: number;
}

const SAMPLERS: Record<SamplerName, SamplerEntry> = {
  euler: { kind: 'EulerDiscreteScheduler', supportsKarras: true, create: (c) => new EulerScheduler(c) },
  euler_ancestral: {
    kind: 'EulerAncestralDiscreteScheduler',
    supportsKarras: true,
    create: (c) => new EulerAncestralScheduler(c),
  },
  ddim: { kind: 'DDIMScheduler', supportsKarras: false, create: (c, o) => new DdimScheduler(c, o.eta ?? 0) },
  dpmpp_2m: {
    kind: 'DPMSolverMultistepScheduler',
    supportsKarras: true,
    create: (c) => new DpmSolverMultistepScheduler(c),
  },
  pndm: { kind: 'PNDMScheduler', supportsKarras: false, create: (c) => new PndmScheduler(c) },
};

function isOneOf<T extends string>(values: readonly T[], name: string): name is T {
  return (values as readonly string[]).includes(name);
}

/** Checks a sampler name; throws `unknown sampler "eulr"; expected one of euler, …`. */
export function parseSamplerName(name: string): SamplerName {
  if (isOneOf(SAMPLER_NAMES, name)) return name;
  throw new Error(`unknown sampler "${name}"; expected one of ${SAMPLER_NAMES.join(', ')}`);
}

/** Checks a scheduler (sigma spacing) name; throws `unknown scheduler "x"; expected one of normal, karras`. */
export function parseScheduleName(name: string): ScheduleName {
  if (isOneOf(SCHEDULE_NAMES, name)) return name;
  throw new Error(`unknown scheduler "${name}"; expected one of ${SCHEDULE_NAMES.join(', ')}`);
}

/** The problem with a (sampler, scheduler) pair as a message, or null when it is valid (for validation). */
export function samplerChoiceProblem(sampler: string, schedule: string): string | null {
  try {
    checkSamplerChoice(sampler, schedule);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function checkSamplerChoice(sampler: string, schedule: string): { name: SamplerName; karras: boolean } {
  const name = parseSamplerName(sampler);
  const karras = parseScheduleName(schedule) === 'karras';
  if (karras && !SAMPLERS[name].supportsKarras) {
    const withKarras = SAMPLER_NAMES.filter((n) => SAMPLERS[n].supportsKarras).join(', ');
    throw new Error(
      `scheduler "karras" does not apply to sampler "${name}"; use "normal", or one of ${withKarras}`,
    );
  }
  return { name, karras };
}

/** The diffusers scheduler class behind a ComfyUI sampler name. */
export function schedulerKindOf(sampler: SamplerName): SchedulerKind {
  return SAMPLERS[sampler].kind;
}

/**
 * Builds the scheduler for ComfyUI `sampler_name` + `scheduler` from a model's diffusers scheduler config
 * (the raw `scheduler_config.json` object). Throws with the valid names on an unknown or unsupported pair.
 */
export function createSampler(
  sampler: string,
  schedule: string,
  schedulerConfigFile: unknown,
  options: SchedulerOptions = {},
): Scheduler {
  const { name, karras } = checkSamplerChoice(sampler, schedule);
  const entry = SAMPLERS[name];
  const config = resolveSchedulerConfig(entry.kind, schedulerConfigFile, { use_karras_sigmas: karras });
  return entry.create(config, options);
}

/** Builds a scheduler by diffusers class name (reference tests, `from_config` semantics). */
export function createSchedulerByKind(
  kind: SchedulerKind,
  schedulerConfigFile: unknown,
  options: SchedulerOptions = {},
): Scheduler {
  const name = SAMPLER_NAMES.find((n) => SAMPLERS[n].kind === kind);
  if (!name) throw new Error(`no sampler implements ${kind}`);
  return SAMPLERS[name].create(resolveSchedulerConfig(kind, schedulerConfigFile), options);
}
