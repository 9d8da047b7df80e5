// owned by H11
import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  CLIP_FOLDER_CONTENTS,
  clipModelPath,
  listClipScoringModels,
} from '../../server/scoring/clipModelFolder';
import { ClipScorer } from '../../server/scoring/clipScorer';
import { defineNode, type ComboContext } from '../../server/engine/nodeDefinition';

const clipModels = ({ dirs }: ComboContext) => listClipScoringModels(dirs.models);

/**
 * Loads a scoring CLIP (a transformers CLIPModel folder under models/clip/) for `CLIPScore`. Named apart
 * from ComfyUI's `CLIPLoader`, which loads a diffusion model's text encoder.
 */
export const clipScoreModelLoader = defineNode({
  type: 'CLIPScoreModelLoader',
  displayName: 'Load CLIP for Scoring',
  category: 'loaders',
  description: `Loads a CLIP model that scores images (CLIP-I, CLIP-T). Each folder under models/clip/ holds ${CLIP_FOLDER_CONTENTS}.`,
  inputs: {
    required: {
      clip_name: [clipModels, { tooltip: `A folder under models/clip/ holding ${CLIP_FOLDER_CONTENTS}.` }],
    },
  },
  outputs: [{ type: 'CLIP_SCORER', name: 'CLIP_SCORER' }],
  // Replaced model files must reload: the config and weight files' sizes and times are the signature.
  isChanged: async (inputs, ctx) => {
    const dir = clipModelPath(ctx.dirs.models, String(inputs.clip_name));
    const files = ['config.json', 'model.safetensors', 'model.fp16.safetensors'];
    const stamps = await Promise.all(
      files.map(async (f) => {
        const s = await stat(path.join(dir, f)).catch(() => null);
        return s ? `${f}:${s.size}:${s.mtimeMs}` : '';
      }),
    );
    return stamps.join('|');
  },
  execute: (inputs, ctx) => {
    const dir = clipModelPath(ctx.dirs.models, String(inputs.clip_name));
    const scorer = ClipScorer.open(dir, { modelsDir: ctx.dirs.models, provider: ctx.executionProvider });
    return { outputs: [scorer] };
  },
});
