/**
 * Settings of a textual-inversion run (diffusers' textual_inversion.py names in comments), parsed once with
 * zod; saved in every checkpoint so a resume can tell whether it continues the same run.
 */
import { z } from 'zod';
import { ADAMW_DEFAULTS } from '../optimizers/adamw';
import { LR_SCHEDULE_NAMES } from '../optimizers/lrSchedule';
import { TEMPLATE_KINDS } from './promptTemplates';

export const trainerConfigSchema = z.object({
  /** --placeholder_token */
  placeholderToken: z.string().min(1),
  /** --initializer_token */
  initializerToken: z.string().min(1),
  /** --num_vectors */
  numVectors: z.number().int().min(1).max(75),
  /** --learnable_property */
  template: z.enum(TEMPLATE_KINDS),
  /** --max_train_steps: optimizer steps */
  steps: z.number().int().min(1),
  /** --learning_rate (used as given: no scale_lr) */
  learningRate: z.number().positive(),
  /** --train_batch_size */
  batchSize: z.number().int().min(1),
  /** --resolution: square training images, a multiple of the VAE's downscale (8) */
  resolution: z.number().int().min(8),
  /** --seed; decimal string for 64-bit seeds */
  seed: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]),
  /** --gradient_accumulation_steps */
  gradientAccumulation: z.number().int().min(1).default(1),
  /** --lr_scheduler */
  lrScheduler: z.enum(LR_SCHEDULE_NAMES).default('constant'),
  /** --lr_warmup_steps */
  lrWarmupSteps: z.number().int().nonnegative().default(0),
  /** --adam_beta1, --adam_beta2, --adam_epsilon, --adam_weight_decay */
  beta1: z.number().min(0).max(1).default(ADAMW_DEFAULTS.beta1),
  beta2: z.number().min(0).max(1).default(ADAMW_DEFAULTS.beta2),
  eps: z.number().positive().default(ADAMW_DEFAULTS.eps),
  weightDecay: z.number().min(0).default(ADAMW_DEFAULTS.weightDecay),
  /**
   * Largest norm a learned vector may reach: after every optimizer step a longer vector is scaled back to
   * it, or to its initializer's norm if that is longer (0: no limit, as in diffusers' script). Real token
   * embeddings are short (the toy model's: median 0.16, longest 0.66); without a limit the toy ring's vector
   * grew to 2.4 and took over whole prompts.
   */
  maxNorm: z.number().min(0).default(0),
  /** the dataset's RandomHorizontalFlip probability (flip_p) */
  flipProbability: z.number().min(0).max(1).default(0.5),
  /** Checkpoint every N optimizer steps (0: only at the end and on interrupt). */
  checkpointEvery: z.number().int().nonnegative().default(0),
});
export type TrainerConfigInput = z.input<typeof trainerConfigSchema>;
export type TrainerConfig = z.output<typeof trainerConfigSchema>;

/** Parses settings, throwing one error that names every bad field. */
export function parseTrainerConfig(value: unknown): TrainerConfig {
  const parsed = trainerConfigSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`);
    throw new Error(`invalid textual-inversion settings: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Fields that may change between a checkpoint and its resume without changing what was computed so far. */
const RESUMABLE_CHANGES: ReadonlySet<keyof TrainerConfig> = new Set(['steps', 'checkpointEvery']);

/**
 * Differences between a checkpoint's settings and the resuming run's that make a resume invalid, as
 * "field: saved → now" lines. A longer run is fine unless a cosine schedule depends on the total.
 */
export function resumeConflicts(saved: TrainerConfig, now: TrainerConfig): string[] {
  const conflicts: string[] = [];
  for (const key of Object.keys(now) as (keyof TrainerConfig)[]) {
    if (RESUMABLE_CHANGES.has(key)) continue;
    if (JSON.stringify(saved[key]) !== JSON.stringify(now[key])) {
      conflicts.push(`${key}: ${JSON.stringify(saved[key])} → ${JSON.stringify(now[key])}`);
    }
  }
  if (now.lrScheduler === 'cosine' && saved.steps !== now.steps) {
    conflicts.push(`steps: ${saved.steps} → ${now.steps} (the cosine schedule depends on the total)`);
  }
  return conflicts;
}
