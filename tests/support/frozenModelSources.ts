/**
 * The three forms the reference dataset ships its model in, each loaded as a `FrozenModel`: the ONNX export
 * (`onnx/`), the diffusers folder (`model/`) and the float16 single-file checkpoint (`checkpoint.safetensors`).
 */
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { datasetConfigs, datasetPath } from './referenceData';

export interface FrozenModelSource {
  name: string;
  /** Weights stored as float16 (held to a looser, stated bound). */
  float16: boolean;
  /** Loads the model; `cacheDir` receives graphs built from weights. */
  load(cacheDir: string): Promise<FrozenModel>;
}

export const frozenModelSources: readonly FrozenModelSource[] = [
  { name: 'onnx/', float16: false, load: () => loadFrozenModel(datasetPath('onnx'), { provider: 'cpu' }) },
  {
    name: 'model/',
    float16: false,
    load: (cacheDir) => loadFrozenModel(datasetPath('model'), { provider: 'cpu', cacheDir }),
  },
  {
    name: 'checkpoint.safetensors',
    float16: true,
    load: (cacheDir) =>
      loadFrozenModel(datasetPath('checkpoint.safetensors'), {
        provider: 'cpu',
        cacheDir,
        // what the dataset's configs say (the tiny models' head counts cannot be inferred from shapes)
        configs: datasetConfigs(),
      }),
  },
];
