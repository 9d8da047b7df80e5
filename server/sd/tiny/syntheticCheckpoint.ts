/**
 * A single-file checkpoint of any SD 1.x / 2.x configuration filled with `SyntheticWeightSource` weights:
 * real-size test models (SD 1.5, SD 2.1) written in seconds, F16 by default as real checkpoints are.
 */
import { writeLdmCheckpoint } from '../weights/ldmCheckpointWriter';
import type { ModelConfigs } from '../weights/modelWeights';
import type { ModelFamily } from '../weights/modelFamily';
import { clipTextParameterShapes, unetParameterShapes, vaeParameterShapes } from '../weights/parameterShapes';
import { SyntheticWeightSource } from './syntheticWeights';

export interface SyntheticCheckpointOptions {
  readonly seed?: number;
  readonly dtype?: 'F16' | 'F32';
}

/** Writes `file` (atomically) and returns the number of parameters it holds. */
export async function writeSyntheticCheckpoint(
  file: string,
  family: ModelFamily,
  configs: ModelConfigs,
  options: SyntheticCheckpointOptions = {},
): Promise<{ parameters: number }> {
  const seed = options.seed ?? 1;
  // the SD 2.x checkpoint holds the whole OpenCLIP tower: one block more than SD 2.x runs
  const textLayers = configs.textEncoder.num_hidden_layers + (family === 'sd2' ? 1 : 0);
  const shapes = {
    unet: unetParameterShapes(configs.unet),
    vae: vaeParameterShapes(configs.vae),
    textEncoder: clipTextParameterShapes({ ...configs.textEncoder, num_hidden_layers: textLayers }),
  };
  let parameters = 0;
  for (const table of Object.values(shapes))
    for (const shape of table.values()) parameters += shape.reduce((a, b) => a * b, 1);
  await writeLdmCheckpoint(
    file,
    {
      family,
      configs,
      unet: new SyntheticWeightSource('synthetic unet', shapes.unet, seed),
      vae: new SyntheticWeightSource('synthetic vae', shapes.vae, seed + 1000),
      textEncoder: new SyntheticWeightSource('synthetic text encoder', shapes.textEncoder, seed + 2000),
    },
    { dtype: options.dtype ?? 'F16', metadata: { 'inversion_studio.synthetic': `${family} seed ${seed}` } },
  );
  return { parameters };
}
