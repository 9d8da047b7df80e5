/**
 * Weights for training: any weight source seen through `trainable: true`, so the SD graph builders bind every
 * checkpoint tensor under its own key (transforms as graph ops) and the initializers are the parameters.
 */
import type { WeightReader } from '../../sd/graphs';

/** `source` read as trainable weights. */
export function trainableWeights(source: WeightReader): WeightReader {
  return {
    has: (key) => source.has(key),
    shape: (key) => source.shape(key),
    read: (key) => source.read(key),
    trainable: true,
  };
}

/** The checkpoint key of a parameter of a merged loss graph (`enc/encoder.conv_in.weight` → `encoder.conv_in.weight`). */
export function checkpointKey(parameter: string): string {
  const slash = parameter.indexOf('/');
  return slash >= 0 ? parameter.slice(slash + 1) : parameter;
}
