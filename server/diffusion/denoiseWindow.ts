/**
 * Which part of a noise schedule a partial (img2img) run covers. diffusers and ComfyUI read the same
 * `denoise` number differently: diffusers' `strength` shortens a `steps`-step schedule, ComfyUI's KSampler
 * runs all `steps` steps over the tail of a longer schedule. Both end as "the last `run` timesteps of a
 * `scheduleSteps`-step schedule", which is what `Scheduler.setTimesteps` takes.
 */

/** The last `run` timesteps of a `scheduleSteps`-step schedule (`run` 0: no step at all). */
export interface StepWindow {
  readonly scheduleSteps: number;
  readonly run: number;
}

/** How a sampler reads `denoise`: diffusers' img2img `strength` or ComfyUI's KSampler `denoise`. */
export type DenoiseSemantics = 'diffusers' | 'comfyui';

function checkSteps(steps: number): void {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`steps must be a positive integer, got ${steps}`);
  }
}

/**
 * diffusers' img2img `strength` (StableDiffusionImg2ImgPipeline.get_timesteps): the last
 * floor(steps · strength) timesteps of a `steps`-step schedule.
 */
export function strengthWindow(steps: number, strength: number): StepWindow {
  checkSteps(steps);
  if (!(strength > 0 && strength <= 1)) throw new Error(`denoise must be in (0, 1], got ${strength}`);
  const run = Math.min(Math.floor(steps * strength), steps);
  if (run === 0) {
    throw new Error(
      `denoise ${strength} with ${steps} steps runs no step; raise denoise to at least ${1 / steps} or add steps`,
    );
  }
  return { scheduleSteps: steps, run };
}

/**
 * ComfyUI's KSampler `denoise` (comfy/samplers.py `KSampler.set_steps`): above 0.9999 the whole
 * `steps`-step schedule; otherwise `steps` steps over the tail of a trunc(steps / denoise)-step schedule;
 * at 0 no step (the latent comes back unchanged).
 */
export function comfyDenoiseWindow(steps: number, denoise: number): StepWindow {
  checkSteps(steps);
  if (!(denoise >= 0 && denoise <= 1)) throw new Error(`denoise must be in [0, 1], got ${denoise}`);
  if (denoise > 0.9999) return { scheduleSteps: steps, run: steps };
  if (denoise === 0) return { scheduleSteps: steps, run: 0 };
  return { scheduleSteps: Math.trunc(steps / denoise), run: steps };
}

/** The window `denoise` selects under `semantics`. */
export function denoiseWindow(steps: number, denoise: number, semantics: DenoiseSemantics): StepWindow {
  return semantics === 'comfyui' ? comfyDenoiseWindow(steps, denoise) : strengthWindow(steps, denoise);
}
