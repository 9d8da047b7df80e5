/**
 * The sampling loop of StableDiffusionPipeline / Img2ImgPipeline, independent of any UNet: the model is a
 * function, called once per timestep with the [uncond; cond] batch when classifier-free guidance is on.
 */
import { denoiseWindow, type DenoiseSemantics } from './denoiseWindow';
import { GaussianRng } from './gaussianRng';
import { createSampler } from './samplerRegistry';
import type { NoiseSource } from './scheduler';

/** One model evaluation request. */
export interface ModelCall {
  /** Scaled model input: [2n, c, h, w] = [x; x] when `guided`, else [n, c, h, w]. */
  sample: Float32Array;
  shape: readonly number[];
  /** The scheduler's timestep (may be fractional for Euler); give it to the UNet as float32. */
  timestep: number;
  /** True when the batch is [uncond; cond] (uncond FIRST); the output must follow the same order. */
  guided: boolean;
}

/** Runs the denoising model: returns its output (epsilon / v / x0 per the scheduler config) for the batch. */
export type ModelFn = (call: ModelCall) => Promise<Float32Array>;

/** Everything one sampling run needs. */
export interface SampleOptions {
  model: ModelFn;
  /** The model's diffusers scheduler config (raw `scheduler_config.json`); decides prediction type etc. */
  schedulerConfig: unknown;
  /** ComfyUI sampler_name: euler, euler_ancestral, ddim, dpmpp_2m, pndm. */
  sampler: string;
  /** ComfyUI scheduler: normal or karras. */
  scheduler: string;
  steps: number;
  /** Classifier-free guidance scale; guidance (and the uncond half) is skipped when cfg <= 1. */
  cfg: number;
  /** Latent shape [n, c, h, w]. */
  shape: readonly number[];
  /** Seed of the noise (initial and in-step); or pass `rng` to continue an existing stream. */
  seed?: number | bigint;
  rng?: GaussianRng;
  /** Initial unit noise [n, c, h, w] instead of drawing it (reference runs). */
  noise?: Float32Array;
  /** In-step noise for stochastic samplers instead of the rng (reference runs). */
  stepNoise?: NoiseSource;
  /** Latents to start from: img2img when denoise < 1; at denoise 1 they offset the noise (ComfyUI). */
  latentImage?: Float32Array;
  /** How much of the schedule to run (default 1, all of it); `denoiseSemantics` says how it is read. */
  denoise?: number;
  /**
   * 'diffusers' (default; img2img `strength`): the last floor(steps · denoise) of `steps` timesteps.
   * 'comfyui' (ComfyUI's KSampler): `steps` steps over the tail of a trunc(steps / denoise)-step schedule;
   * denoise 0 returns `latentImage` unchanged.
   */
  denoiseSemantics?: DenoiseSemantics;
  /** DDIM eta (default 0). */
  eta?: number;
  /**
   * Called after every step with the number of steps done (1..total), the total, the current latents and
   * the step's clean-latent estimate x0 (what a preview should show).
   */
  onStep?: (
    step: number,
    total: number,
    latents: Float32Array,
    denoised: Float32Array,
  ) => void | Promise<void>;
  signal?: AbortSignal;
}

function elementCount(shape: readonly number[]): number {
  if (shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`latent shape must be [n, c, h, w] of positive integers, got [${shape.join(', ')}]`);
  }
  return shape.reduce((a, b) => a * b, 1);
}

function checkLength(
  name: string,
  values: Float32Array | undefined,
  count: number,
  shape: readonly number[],
): void {
  if (values && values.length !== count) {
    throw new Error(
      `${name} has ${values.length} values but the latent shape [${shape.join(', ')}] needs ${count}`,
    );
  }
}

/** Runs the sampler and returns the final latents [n, c, h, w] (not divided by the VAE scaling factor). */
export async function sample(options: SampleOptions): Promise<Float32Array> {
  const { model, shape, cfg, signal } = options;
  const count = elementCount(shape);
  const denoise = options.denoise ?? 1;
  checkLength('noise', options.noise, count, shape);
  checkLength('latentImage', options.latentImage, count, shape);
  if (denoise < 1 && !options.latentImage) {
    throw new Error(
      `denoise ${denoise} < 1 needs a latent image to start from; connect one or set denoise to 1`,
    );
  }
  const window = denoiseWindow(options.steps, denoise, options.denoiseSemantics ?? 'diffusers');
  const scheduler = createSampler(options.sampler, options.scheduler, options.schedulerConfig, {
    eta: options.eta,
  });
  if (window.run === 0) return options.latentImage ? options.latentImage.slice() : new Float32Array(count);
  const trainSteps = scheduler.config.num_train_timesteps;
  if (window.scheduleSteps > options.steps && window.scheduleSteps > trainSteps) {
    throw new Error(
      `denoise ${denoise} with ${options.steps} steps needs a ${window.scheduleSteps}-step schedule, more than the model's ${trainSteps} timesteps; raise denoise to at least ${Math.ceil((options.steps / trainSteps) * 1000) / 1000}`,
    );
  }
  scheduler.setTimesteps(window.scheduleSteps, window.run);
  let rng = options.rng;
  if (!rng && options.seed !== undefined) rng = new GaussianRng(options.seed);
  const needsRng = !options.noise || (scheduler.stochastic && !options.stepNoise);
  if (needsRng && !rng) throw new Error('sample() needs a seed (or an rng) to draw noise');
  const noise = options.noise ?? (rng as GaussianRng).normal(count);
  const stepNoise = options.stepNoise ?? rng?.noise;

  let x: Float32Array;
  if (window.run < window.scheduleSteps && options.latentImage) {
    x = scheduler.addNoise(options.latentImage, noise, scheduler.timesteps[0]);
  } else {
    const offset = options.latentImage;
    x = noise.map((v, i) => v * scheduler.initNoiseSigma + (offset ? offset[i] : 0));
  }

  const guided = cfg > 1;
  const [n, ...rest] = shape;
  const modelShape = guided ? [2 * n, ...rest] : [...shape];
  const total = scheduler.timesteps.length;
  for (let k = 0; k < total; k++) {
    signal?.throwIfAborted();
    const t = scheduler.timesteps[k];
    const input = scheduler.scaleModelInput(x, t);
    let modelInput = input;
    if (guided) {
      modelInput = new Float32Array(2 * count);
      modelInput.set(input, 0);
      modelInput.set(input, count);
    }
    const output = await model({ sample: modelInput, shape: modelShape, timestep: t, guided });
    if (output.length !== modelInput.length) {
      throw new Error(
        `model returned ${output.length} values for an input of ${modelInput.length}; shapes must match`,
      );
    }
    let guidedOutput = output;
    if (guided) {
      // out = out_u + cfg·(out_c - out_u)
      guidedOutput = new Float32Array(count);
      for (let i = 0; i < count; i++) guidedOutput[i] = output[i] + cfg * (output[count + i] - output[i]);
    }
    const denoised = options.onStep ? scheduler.predictOriginal(guidedOutput, t, x) : null;
    x = scheduler.step(guidedOutput, t, x, stepNoise);
    if (options.onStep && denoised) await options.onStep(k + 1, total, x, denoised);
  }
  return x;
}
