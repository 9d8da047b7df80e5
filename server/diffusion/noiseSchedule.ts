/**
 * The DDPM forward process shared by training and every sampler: betas, alphas_cumprod, `add_noise` and
 * `get_velocity`. Values are rounded to float32 after each operation in the order torch performs them, so
 * the tables equal diffusers' float32 tensors (sigmas near t = 0 amplify any 1-ulp difference in acp).
 */
import type { BetaSchedule } from './schedulerConfig';

const f32 = Math.fround;

/** The training noise schedule of a diffusion model. */
export interface NoiseSchedule {
  readonly numTrainTimesteps: number;
  readonly betas: Float32Array;
  readonly alphasCumprod: Float32Array;
}

/** The config keys a noise schedule depends on (diffusers names). */
export interface NoiseScheduleConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: BetaSchedule;
  trained_betas?: readonly number[] | null;
  rescale_betas_zero_snr?: boolean;
}

/**
 * `torch.linspace(start, end, steps, dtype=float32)` as torch's AVX2 CPU kernel computes it: the lower half
 * counts up from `start`, the upper half down from `end`, in vectors of 8 lanes whose base is a fused
 * multiply-add (`start + step * idx`) and whose lanes add `k * step`; the tail past the last pair of
 * vectors is scalar. Reproduces diffusers' float32 betas bit for bit.
 */
export function linspaceFloat32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const s = f32(start);
  const e = f32(end);
  const step = f32(f32(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  // A float32 product of small integers fits a double exactly, so one f32() of the sum is a fused multiply-add.
  const at = (idx: number): number =>
    idx < halfway ? f32(s + step * idx) : f32(e - step * (steps - idx - 1));
  const lanes = 8;
  let i = 0;
  for (; i <= steps - 2 * lanes; i += 2 * lanes) {
    for (const v of [i, i + lanes]) {
      const base = at(v);
      for (let k = 0; k < lanes; k++) out[v + k] = f32(base + k * step);
    }
  }
  for (; i < steps; i++) out[i] = at(i);
  return out;
}

function cosineBetas(n: number, maxBeta = 0.999): Float32Array {
  const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  const betas = new Float32Array(n);
  for (let i = 0; i < n; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), maxBeta);
  return betas;
}

/** `torch.cumprod` of a float32 tensor on CPU: the running product is kept in double, each output rounded. */
function cumprodFloat32(alphas: Float32Array): Float32Array {
  const out = new Float32Array(alphas.length);
  let acc = 1;
  for (let i = 0; i < alphas.length; i++) {
    acc *= alphas[i];
    out[i] = acc;
  }
  return out;
}

/** Zero terminal SNR rescaling (Lin et al. 2023, Algorithm 1), as diffusers' `rescale_zero_terminal_snr`. */
function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const acp = cumprodFloat32(betas.map((b) => f32(1 - b)));
  const sqrtAcp = Array.from(acp, (a) => Math.sqrt(a));
  const first = sqrtAcp[0];
  const last = sqrtAcp[sqrtAcp.length - 1];
  const scaled = sqrtAcp.map((a) => ((a - last) * first) / (first - last));
  const alphaBar = scaled.map((a) => a * a);
  return Float32Array.from(alphaBar, (ab, i) => 1 - (i === 0 ? ab : ab / alphaBar[i - 1]));
}

/** Builds betas and alphas_cumprod exactly as diffusers 0.21.4 schedulers do in `__init__`. */
export function createNoiseSchedule(config: NoiseScheduleConfig): NoiseSchedule {
  const n = config.num_train_timesteps;
  let betas: Float32Array;
  if (config.trained_betas) {
    if (config.trained_betas.length !== n) {
      throw new Error(
        `trained_betas has ${config.trained_betas.length} entries but num_train_timesteps is ${n}; make them agree`,
      );
    }
    betas = Float32Array.from(config.trained_betas);
  } else if (config.beta_schedule === 'linear') {
    betas = linspaceFloat32(config.beta_start, config.beta_end, n);
  } else if (config.beta_schedule === 'scaled_linear') {
    betas = linspaceFloat32(Math.sqrt(config.beta_start), Math.sqrt(config.beta_end), n).map((b) =>
      f32(b * b),
    );
  } else if (config.beta_schedule === 'squaredcos_cap_v2') {
    betas = cosineBetas(n);
  } else {
    throw new Error(
      `unknown beta_schedule "${String(config.beta_schedule)}"; expected linear, scaled_linear or squaredcos_cap_v2`,
    );
  }
  if (config.rescale_betas_zero_snr) betas = rescaleZeroTerminalSnr(betas);
  const alphasCumprod = cumprodFloat32(betas.map((b) => f32(1 - b)));
  return { numTrainTimesteps: n, betas, alphasCumprod };
}

/** sigma(t) = sqrt((1 - acp) / acp) for every training timestep, in torch's float32 arithmetic. */
export function trainingSigmas(schedule: NoiseSchedule): Float32Array {
  return schedule.alphasCumprod.map((a) => f32(Math.sqrt(f32(f32(1 - a) / a))));
}

function checkTimestep(schedule: NoiseSchedule, t: number): void {
  if (!Number.isInteger(t) || t < 0 || t >= schedule.numTrainTimesteps) {
    throw new Error(
      `timestep ${t} is outside 0..${schedule.numTrainTimesteps - 1}; pass an integer training timestep`,
    );
  }
}

function perItem(
  schedule: NoiseSchedule,
  a: Float32Array,
  b: Float32Array,
  timesteps: readonly number[],
  coefficients: (acp: number) => [number, number],
): Float32Array {
  if (a.length !== b.length)
    throw new Error(`arrays differ in length (${a.length} vs ${b.length}); pass equal shapes`);
  if (timesteps.length === 0 || a.length % timesteps.length !== 0) {
    throw new Error(
      `${timesteps.length} timesteps do not divide a batch of ${a.length} values; pass one per item`,
    );
  }
  const itemSize = a.length / timesteps.length;
  const out = new Float32Array(a.length);
  timesteps.forEach((t, item) => {
    checkTimestep(schedule, t);
    const [ca, cb] = coefficients(schedule.alphasCumprod[t]);
    for (let i = item * itemSize; i < (item + 1) * itemSize; i++)
      out[i] = f32(f32(ca * a[i]) + f32(cb * b[i]));
  });
  return out;
}

/**
 * DDPM `add_noise`: x_t = sqrt(acp[t]) * x0 + sqrt(1 - acp[t]) * noise, one integer timestep per batch item
 * (the batch is split evenly into `timesteps.length` items).
 */
export function addNoise(
  schedule: NoiseSchedule,
  original: Float32Array,
  noise: Float32Array,
  timesteps: readonly number[],
): Float32Array {
  return perItem(schedule, original, noise, timesteps, (acp) => [
    f32(Math.sqrt(acp)),
    f32(Math.sqrt(f32(1 - acp))),
  ]);
}

/** DDPM `get_velocity` (the v-prediction training target): v = sqrt(acp[t]) * noise - sqrt(1 - acp[t]) * x0. */
export function getVelocity(
  schedule: NoiseSchedule,
  sample: Float32Array,
  noise: Float32Array,
  timesteps: readonly number[],
): Float32Array {
  return perItem(schedule, noise, sample, timesteps, (acp) => [
    f32(Math.sqrt(acp)),
    -f32(Math.sqrt(f32(1 - acp))),
  ]);
}
