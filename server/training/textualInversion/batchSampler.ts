/**
 * Draws training micro-batches from the seeded generator, in the recipe's manner: images in a shuffled
 * order per epoch, a random caption template per item, a random flip, a fresh latent sample, then noise
 * and integer timesteps in [0, num_train_timesteps). The epoch order is state a checkpoint keeps.
 */
import { z } from 'zod';
import type { TrainingBatch } from './embeddingTrainer';
import type { TrainingDataset } from './trainingDataset';
import type { TrainingRng } from './trainingRng';

export const batchSamplerStateSchema = z.object({
  order: z.array(z.number().int().nonnegative()),
  cursor: z.number().int().nonnegative(),
});
export type BatchSamplerState = z.infer<typeof batchSamplerStateSchema>;

/** A drawn micro-batch and what it was made of. */
export interface DrawnBatch extends TrainingBatch {
  readonly imageIndices: readonly number[];
  readonly flipped: readonly boolean[];
  readonly templateIndices: readonly number[];
}

export interface BatchSamplerOptions {
  readonly dataset: TrainingDataset;
  /** Token ids [sequence] of each caption template with the placeholder filled in. */
  readonly captionIds: readonly (readonly number[])[];
  /** Per image, the same rows with that image's own caption added (images with caption files). */
  readonly imageCaptionIds?: readonly (readonly (readonly number[])[])[];
  readonly batchSize: number;
  readonly flipProbability: number;
  readonly numTrainTimesteps: number;
}

/** See the module comment. */
export class BatchSampler {
  private order: number[] = [];
  private cursor = 0;

  constructor(private readonly options: BatchSamplerOptions) {
    if (options.captionIds.length === 0) throw new Error('no caption templates to draw from');
    const perImage = options.imageCaptionIds;
    if (perImage && perImage.length !== options.dataset.count) {
      throw new Error(`${perImage.length} image captions for ${options.dataset.count} training images`);
    }
    if (perImage?.some((rows) => rows.length !== options.captionIds.length)) {
      throw new Error('every image needs one caption row per template');
    }
  }

  state(): BatchSamplerState {
    return { order: [...this.order], cursor: this.cursor };
  }

  restore(state: unknown): void {
    const parsed = batchSamplerStateSchema.parse(state);
    if (parsed.order.some((i) => i >= this.options.dataset.count) || parsed.cursor > parsed.order.length) {
      throw new Error(`saved image order does not fit ${this.options.dataset.count} training images`);
    }
    this.order = parsed.order;
    this.cursor = parsed.cursor;
  }

  private nextImage(rng: TrainingRng): number {
    if (this.cursor >= this.order.length) {
      this.order = rng.permutation(this.options.dataset.count);
      this.cursor = 0;
    }
    return this.order[this.cursor++]!;
  }

  /** The next micro-batch. */
  draw(rng: TrainingRng): DrawnBatch {
    const { dataset, captionIds, imageCaptionIds, batchSize, flipProbability, numTrainTimesteps } =
      this.options;
    const sequence = captionIds[0]!.length;
    const size = dataset.latentSize;
    const inputIds = new Int32Array(batchSize * sequence);
    const latents = new Float32Array(batchSize * size);
    const imageIndices: number[] = [];
    const flipped: boolean[] = [];
    const templateIndices: number[] = [];
    for (let b = 0; b < batchSize; b++) {
      const image = this.nextImage(rng);
      const flip = flipProbability > 0 && rng.uniform() < flipProbability;
      const template = rng.int(captionIds.length);
      inputIds.set((imageCaptionIds?.[image] ?? captionIds)[template]!, b * sequence);
      dataset.latentSample(image, flip, rng.normal(size), latents, b * size);
      imageIndices.push(image);
      flipped.push(flip);
      templateIndices.push(template);
    }
    const noise = rng.normal(batchSize * size);
    const timesteps = Array.from({ length: batchSize }, () => rng.int(numTrainTimesteps));
    return { inputIds, latents, noise, timesteps, imageIndices, flipped, templateIndices };
  }
}
