/**
 * One entry point for the SD model formats users bring: a diffusers pipeline folder or a single-file
 * `.safetensors` checkpoint in the ldm layout. (ONNX export folders are opened by the ONNX model code.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDiffusersFolder, openDiffusersFolder } from './diffusersFolder';
import { openLdmCheckpoint, type LdmOpenOptions } from './ldmCheckpoint';
import type { ModelWeights } from './modelWeights';

/** Opens `target` (folder or file) as an SD 1.x / 2.x model; errors say what was found and what to do. */
export function loadCheckpoint(target: string, options: LdmOpenOptions = {}): ModelWeights {
  if (!fs.existsSync(target)) {
    throw new Error(
      `checkpoint ${target} does not exist; put .safetensors files or diffusers folders in models/checkpoints/`,
    );
  }
  if (fs.statSync(target).isDirectory()) {
    if (isDiffusersFolder(target)) return openDiffusersFolder(target);
    throw new Error(
      `${target} is a folder but not a diffusers pipeline (no model_index.json, unet/config.json or text_encoder/config.json)`,
    );
  }
  const ext = path.extname(target).toLowerCase();
  if (ext === '.safetensors') return openLdmCheckpoint(target, options);
  if (ext === '.ckpt' || ext === '.pt' || ext === '.bin' || ext === '.pth') {
    throw new Error(
      `${target}: PyTorch pickle checkpoints (${ext}) are not loaded, because unpickling can run code; convert it to .safetensors (e.g. with a safetensors conversion tool) and place that in models/checkpoints/`,
    );
  }
  throw new Error(
    `${target}: unknown checkpoint format "${ext}"; expected a .safetensors file or a diffusers folder`,
  );
}
