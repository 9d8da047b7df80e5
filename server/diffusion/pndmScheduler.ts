/**
 * PNDM's linear multistep part (PLMS, Liu et al. 2022) as diffusers 0.21.4 `PNDMScheduler` with
 * `skip_prk_steps`: the first step is repeated (a Heun-like correction), then Adams–Bashforth combinations
 * of up to four past epsilons. The Runge–Kutta warm-up (PRK) is not implemented: `pndm` always runs PLMS.
 */
import { ddimTimesteps } from './ddimScheduler';
import { addNoise, createNoiseSchedule, type NoiseSchedule } from './noiseSchedule';
import { ddpmPredictOriginal } from './predictionConversion';
import type { ResolvedSchedulerConfig } from './schedulerConfig';
import { checkSameLength, tailStartIndex, indexOfTimestep, type Scheduler } from './scheduler';

/** PLMS sampler (`pndm`). Its timesteps repeat the second one: n steps make n + 1 model calls. */
export class PndmScheduler implements Scheduler {
  readonly kind = 'PNDMScheduler';
  readonly schedule: NoiseSchedule;
  readonly sigmas = null;
  readonly initNoiseSigma = 1;
  readonly stochastic = false;
  timesteps: readonly number[] = [];
  private numInferenceSteps = 0;
  private readonly finalAlphaCumprod: number;
  private ets: Float32Array[] = [];
  private counter = 0;
  private curSample: Float32Array | null = null;

  constructor(readonly config: ResolvedSchedulerConfig) {
    if (config.prediction_type === 'sample') {
      throw new Error(
        'PNDM supports prediction_type epsilon or v_prediction, not "sample"; pick another sampler',
      );
    }
    this.schedule = createNoiseSchedule(config);
    this.finalAlphaCumprod = config.set_alpha_to_one ? 1 : this.schedule.alphasCumprod[0];
  }

  setTimesteps(numInferenceSteps: number, run = numInferenceSteps): void {
    const start = tailStartIndex(numInferenceSteps, run);
    this.numInferenceSteps = numInferenceSteps;
    // ascending, img2img keeps the lowest ones; the repeat is rebuilt so a partial run starts like a full one
    const ascending = ddimTimesteps(this.config, numInferenceSteps)
      .reverse()
      .slice(0, numInferenceSteps - start);
    const plms = [...ascending.slice(0, -1), ...ascending.slice(-2, -1), ...ascending.slice(-1)];
    this.timesteps = plms.reverse();
    this.ets = [];
    this.counter = 0;
    this.curSample = null;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    checkSameLength(modelOutput, sample, 'PNDM step');
    indexOfTimestep(this.timesteps, timestep);
    const stride = Math.floor(this.config.num_train_timesteps / this.numInferenceSteps);
    let t = timestep;
    let prevT = timestep - stride;
    if (this.counter !== 1) {
      this.ets = this.ets.slice(-3);
      this.ets.push(modelOutput);
    } else {
      prevT = timestep;
      t = timestep + stride;
    }
    const ets = this.ets;
    const n = ets.length;
    let eps: Float32Array;
    let x = sample;
    if (n === 1 && this.counter === 0) {
      eps = modelOutput;
      this.curSample = sample;
    } else if (n === 1 && this.counter === 1) {
      eps = modelOutput.map((e, i) => (e + ets[0][i]) / 2);
      x = this.curSample ?? sample;
      this.curSample = null;
    } else if (n === 2) {
      eps = ets[1].map((e, i) => (3 * e - ets[0][i]) / 2);
    } else if (n === 3) {
      eps = ets[2].map((e, i) => (23 * e - 16 * ets[1][i] + 5 * ets[0][i]) / 12);
    } else {
      eps = ets[3].map((e, i) => (1 / 24) * (55 * e - 59 * ets[2][i] + 37 * ets[1][i] - 9 * ets[0][i]));
    }
    const out = this.previousSample(x, t, prevT, eps);
    this.counter += 1;
    return out;
  }

  /** Formula (9) of the PNDM paper: x_{t-δ} from x_t and eps. */
  private previousSample(
    sample: Float32Array,
    t: number,
    prevT: number,
    modelOutput: Float32Array,
  ): Float32Array {
    const acp = this.schedule.alphasCumprod;
    const alphaProdT = acp[t];
    const alphaProdPrev = prevT >= 0 ? acp[prevT] : this.finalAlphaCumprod;
    const betaProdT = 1 - alphaProdT;
    const betaProdPrev = 1 - alphaProdPrev;
    const v = this.config.prediction_type === 'v_prediction';
    const sampleCoeff = Math.sqrt(alphaProdPrev / alphaProdT);
    const denom = alphaProdT * Math.sqrt(betaProdPrev) + Math.sqrt(alphaProdT * betaProdT * alphaProdPrev);
    return sample.map((x, i) => {
      const eps = v ? Math.sqrt(alphaProdT) * modelOutput[i] + Math.sqrt(betaProdT) * x : modelOutput[i];
      return sampleCoeff * x - ((alphaProdPrev - alphaProdT) * eps) / denom;
    });
  }

  predictOriginal(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    checkSameLength(modelOutput, sample, 'predictOriginal');
    return ddpmPredictOriginal(this.schedule, this.config.prediction_type, modelOutput, timestep, sample);
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoise(this.schedule, original, noise, [timestep]);
  }
}
