import path from 'node:path';
import {
  checkpointPath,
  checkpointStamp,
  listCheckpoints,
  obtainFrozenModel,
} from '../../server/sd/model/checkpointRegistry';
import { type ComboContext, defineNode, type StudioDirs } from '../../server/engine/nodeDefinition';

const checkpointsDir = (dirs: StudioDirs) => path.join(dirs.models, 'checkpoints');

/** Loads a checkpoint from models/checkpoints/ as a frozen model: the same object serves as MODEL, CLIP and VAE. */
export const checkpointLoaderSimple = defineNode({
  type: 'CheckpointLoaderSimple',
  displayName: 'Load Checkpoint',
  category: 'loaders',
  description:
    'Loads an SD 1.x / 2.x checkpoint (.safetensors file, diffusers folder or ONNX export) from models/checkpoints/; the family is read from the file.',
  inputs: {
    required: {
      ckpt_name: [
        ({ dirs }: ComboContext) => listCheckpoints(checkpointsDir(dirs)),
        {
          default: 'toy-shapes.safetensors',
          tooltip: 'Checkpoints and model folders in models/checkpoints/.',
        },
      ],
    },
  },
  outputs: [
    { type: 'MODEL', name: 'MODEL' },
    { type: 'CLIP', name: 'CLIP' },
    { type: 'VAE', name: 'VAE' },
  ],
  // a replaced file (new size or time) must not reuse the cached model
  isChanged: (inputs, ctx) =>
    checkpointStamp(checkpointPath(checkpointsDir(ctx.dirs), String(inputs.ckpt_name))),
  execute: async (inputs, ctx) => {
    const file = checkpointPath(checkpointsDir(ctx.dirs), String(inputs.ckpt_name));
    const model = await obtainFrozenModel(file, {
      provider: ctx.executionProvider,
      modelsDir: ctx.dirs.models,
      cacheDir: ctx.dirs.cache,
    });
    return { outputs: [model, model, model] };
  },
});
