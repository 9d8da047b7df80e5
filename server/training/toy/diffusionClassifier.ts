/**
 * How much the toy UNet listens to each word of its caption, per noise level: a diffusion classifier (Li et
 * al. 2023, "Your Diffusion Model is Secretly a Zero-Shot Classifier"). A held-out render is noised at
 * timestep t; the UNet predicts the training target once per candidate caption (the render's full caption
 * with its shape word, or its colour word, swapped for each alternative); the caption with the smallest
 * error is the model's guess. Accuracy far above chance at t means the UNet uses that word at that noise
 * level; sampling decides an image's layout at high t, so a shape word ignored there is a shape not drawn.
 */
import { addNoise } from '../../diffusion/noiseSchedule';
import { GaussianRng } from '../../diffusion/gaussianRng';
import type { FrozenModel } from '../../sd/model/frozenModel';
import { COLOUR_NAMES, fullCaption, NAMED_SHAPES, worldSample, type Scene } from '../../world';
import { trainingSchedule, trainingTarget } from '../textualInversion/trainingTarget';
import { nhwcToSignedNchw } from './worldBatches';

export interface ClassifierOptions {
  /** Noise levels to probe (training timesteps). */
  readonly timesteps: readonly number[];
  /** Held-out renders of named shapes (renders of the unnamed shape are skipped). */
  readonly renders: number;
  /** Noise draws per render and timestep; errors are summed over them. */
  readonly noiseDraws: number;
  /** World seed of the renders (and of the noise). */
  readonly seed: number;
}

/** Share of renders whose shape / colour word the classifier picks right at one timestep. */
export interface ConditioningAccuracy {
  readonly timestep: number;
  readonly shape: number;
  readonly colour: number;
  /** Chance levels: 1 / the number of candidates. */
  readonly shapeChance: number;
  readonly colourChance: number;
}

/** Index of the smallest value. */
const argmin = (values: readonly number[]): number => values.indexOf(Math.min(...values));

/** The diffusion classifier's accuracy on the shape and colour words at every timestep of `options`. */
export async function unetConditioningAccuracy(
  model: FrozenModel,
  options: ClassifierOptions,
): Promise<ConditioningAccuracy[]> {
  const { schedule, predictionType } = trainingSchedule(model.schedulerConfig);
  const size = model.info.sampleSize * model.info.vaeScaleFactor;
  const tokenizer = model.tokenizer();
  const right = options.timesteps.map(() => ({ shape: 0, colour: 0 }));
  let counted = 0;
  for (let index = 0; counted < options.renders; index++) {
    const sample = worldSample(options.seed, index, {}, { imageSize: size, vocabulary: 'generator' });
    const scene = sample.scene;
    if (!NAMED_SHAPES.includes(scene.shape)) continue;
    counted++;
    const moments = await model.vaeEncodeMoments({
      data: nhwcToSignedNchw(sample.image.rgb, 1, size),
      dims: [1, 3, size, size],
    });
    const latents = moments.mean.data.map((v) => Math.fround(v * model.info.scalingFactor));
    const colours = COLOUR_NAMES.filter((c) => c !== scene.background);
    // the same noised latents and targets serve the shape and the colour candidates
    const rng = new GaussianRng(String(options.seed * 1000 + index));
    const draws = Array.from({ length: options.noiseDraws }, () => rng.normal(latents.length));
    const noised = options.timesteps.map((t) =>
      draws.map((noise) => ({
        noisy: addNoise(schedule, latents, noise, [t]),
        target: trainingTarget(schedule, predictionType, latents, noise, [t]),
      })),
    );
    const groups: { truth: number; scenes: Scene[]; key: 'shape' | 'colour' }[] = [
      {
        key: 'shape',
        truth: NAMED_SHAPES.indexOf(scene.shape),
        scenes: NAMED_SHAPES.map((shape) => ({ ...scene, shape })),
      },
      {
        key: 'colour',
        truth: colours.indexOf(scene.colour),
        scenes: colours.map((colour) => ({ ...scene, colour })),
      },
    ];
    for (const group of groups) {
      const captions = group.scenes.map((s) => fullCaption(s, 'generator'));
      const ids = tokenizer.encodeBatch(captions);
      const context = (await model.textEncoder(ids, [captions.length, ids.length / captions.length]))
        .lastHiddenState;
      for (const [k, t] of options.timesteps.entries()) {
        const errors = new Array<number>(captions.length).fill(0);
        for (const { noisy, target } of noised[k]!) {
          const batch = new Float32Array(captions.length * latents.length);
          for (let b = 0; b < captions.length; b++) batch.set(noisy, b * latents.length);
          const predicted = await model.unet(
            { data: batch, dims: [captions.length, ...moments.mean.dims.slice(1)] },
            t,
            context,
          );
          for (let b = 0; b < captions.length; b++) {
            const offset = b * latents.length;
            for (let i = 0; i < latents.length; i++)
              errors[b] += (predicted.data[offset + i]! - target[i]!) ** 2;
          }
        }
        if (argmin(errors) === group.truth) right[k]![group.key]++;
      }
    }
  }
  return options.timesteps.map((timestep, k) => ({
    timestep,
    shape: right[k]!.shape / counted,
    colour: right[k]!.colour / counted,
    shapeChance: 1 / NAMED_SHAPES.length,
    // every colour but the background's is a candidate
    colourChance: 1 / (COLOUR_NAMES.length - 1),
  }));
}
