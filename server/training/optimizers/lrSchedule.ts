/**
 * Learning-rate schedules with diffusers `get_scheduler` semantics (torch LambdaLR): optimizer step k
 * (0-based) uses base_lr · λ(k), so with warm-up the very first update has lr 0. Under gradient accumulation
 * the schedule advances once per optimizer step (accelerate's AcceleratedScheduler), not per micro-batch.
 */

export const LR_SCHEDULE_NAMES = ['constant', 'constant_with_warmup', 'cosine'] as const;
export type LrScheduleName = (typeof LR_SCHEDULE_NAMES)[number];

/** A schedule: its kind and its step counts, in optimizer steps. */
export interface LrSchedule {
  name: LrScheduleName;
  baseLr: number;
  warmupSteps?: number;
  /** Total optimizer steps (cosine decays to 0 here). */
  totalSteps?: number;
  /** Cosine cycles (diffusers default 0.5: one half-cosine from 1 to 0). */
  numCycles?: number;
}

/** Checks a schedule name; throws with the valid ones. */
export function parseLrScheduleName(name: string): LrScheduleName {
  if ((LR_SCHEDULE_NAMES as readonly string[]).includes(name)) return name as LrScheduleName;
  throw new Error(`unknown lr schedule "${name}"; expected one of ${LR_SCHEDULE_NAMES.join(', ')}`);
}

/** λ(step): the factor on base_lr for optimizer step `step` (0-based). */
export function lrMultiplier(schedule: LrSchedule, step: number): number {
  const warmup = schedule.warmupSteps ?? 0;
  switch (schedule.name) {
    case 'constant':
      return 1;
    case 'constant_with_warmup':
      return step < warmup ? step / Math.max(1, warmup) : 1;
    case 'cosine': {
      if (step < warmup) return step / Math.max(1, warmup);
      const total = schedule.totalSteps;
      if (total === undefined) throw new Error('cosine lr schedule needs totalSteps (optimizer steps)');
      const progress = (step - warmup) / Math.max(1, total - warmup);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * (schedule.numCycles ?? 0.5) * 2 * progress)));
    }
  }
}

/** The learning rate of optimizer step `step` (0-based). */
export function learningRateAt(schedule: LrSchedule, step: number): number {
  return schedule.baseLr * lrMultiplier(schedule, step);
}

/**
 * Gradient-accumulation bookkeeping for micro-batch `microStep` (0-based): which optimizer step it feeds
 * and whether the optimizer steps after it (every `accumulationSteps`-th micro-batch).
 */
export function accumulationPosition(
  microStep: number,
  accumulationSteps: number,
): { optimizerStep: number; syncGradients: boolean } {
  if (!Number.isInteger(accumulationSteps) || accumulationSteps < 1) {
    throw new Error(`gradient accumulation steps must be an integer >= 1, got ${accumulationSteps}`);
  }
  return {
    optimizerStep: Math.floor(microStep / accumulationSteps),
    syncGradients: (microStep + 1) % accumulationSteps === 0,
  };
}
