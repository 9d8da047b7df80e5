/**
 * What every checkpoint loader returns: configs, family and lazy weights of the three SD components. One
 * vocabulary for models: weights (`ModelWeights`, here) → components (`ModelComponents`: ONNX graphs, built
 * from weights or read from an ONNX export) → `FrozenModel` (the sessions the nodes run).
 */
import type { ClipTextConfig } from './clipConfigs';
import type { PredictionType, SchedulerConfig, UNetConfig, VaeConfig } from './diffusersConfigs';
import type { ModelFamily } from './modelFamily';
import type { WeightSource } from './weightSource';

/** The diffusers-style configs of an SD pipeline. */
export interface ModelConfigs {
  readonly unet: UNetConfig;
  readonly vae: VaeConfig;
  readonly textEncoder: ClipTextConfig;
  readonly scheduler: SchedulerConfig;
}

/** An opened SD 1.x / 2.x model; weights are read from disk only when asked for. */
export interface ModelWeights {
  /** Where the weights came from. */
  readonly format: 'diffusers' | 'ldm';
  /** The folder or file that was opened. */
  readonly path: string;
  readonly family: ModelFamily;
  /** Observations the family rests on. */
  readonly familyReasons: readonly string[];
  /** From the scheduler config: how the UNet output is read (and the training target). */
  readonly predictionType: PredictionType;
  readonly configs: ModelConfigs;
  /** "diffusers folder", "checkpoint metadata", "sidecar <file>" or "inferred from tensor shapes". */
  readonly configSource: string;
  /** Values taken from family defaults rather than from the files (empty for diffusers folders). */
  readonly assumptions: readonly string[];
  readonly unet: WeightSource;
  readonly vae: WeightSource;
  readonly textEncoder: WeightSource;
  /** A folder holding tokenizer files that ship with the model (a diffusers `tokenizer/`), if any. */
  readonly tokenizerDir?: string;
  /** Closes the underlying files. */
  close(): void;
}
