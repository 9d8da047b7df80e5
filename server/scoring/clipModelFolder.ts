/**
 * Where scoring CLIP models live: folders under `models/clip/`, each a transformers `CLIPModel` as Hugging
 * Face ships it (config.json + model.safetensors, usually with vocab.json + merges.txt). ComfyUI keeps text
 * encoder files in the same folder; those are single files (or CLIPTextModel folders) and are refused here
 * with a message rather than mistaken for a scoring model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { listFilesRecursive } from '../storage/listFiles';
import { resolveInside } from '../storage/safePath';

/** Sub-folder of the models folder holding scoring CLIP models. */
export const CLIP_MODELS_FOLDER = 'clip';

/** What a scoring CLIP folder must hold; appended to every "not found" message. */
export const CLIP_FOLDER_CONTENTS =
  'a transformers CLIPModel: config.json and model.safetensors (e.g. the files of Hugging Face ' +
  'openai/clip-vit-base-patch32 or openai/clip-vit-large-patch14), plus vocab.json and merges.txt to score text prompts';

/** Folders under `models/clip/` that hold a config.json, as forward-slash paths relative to it. */
export async function listClipScoringModels(modelsDir: string): Promise<string[]> {
  const files = await listFilesRecursive(path.join(modelsDir, CLIP_MODELS_FOLDER));
  return files.filter((f) => f.endsWith('/config.json')).map((f) => f.slice(0, -'/config.json'.length));
}

/** The absolute folder of model `name` under `models/clip/`; refuses names that leave it. */
export function clipModelPath(modelsDir: string, name: string): string {
  const root = path.join(modelsDir, CLIP_MODELS_FOLDER);
  const dir = resolveInside(root, name);
  if (!dir || dir === path.resolve(root))
    throw new Error(`CLIP model "${name}" is not a folder inside ${root}; pick one of the listed folders`);
  return dir;
}

const configKindSchema = z.looseObject({
  model_type: z.string().optional(),
  architectures: z.array(z.string()).optional(),
  vision_config: z.unknown().optional(),
});

/**
 * Checks that `dir` exists and its config.json describes a full CLIPModel (text and vision towers), with
 * errors that name the folder and what to put there. Weight checks are left to the folder loader.
 */
export function checkClipModelFolder(dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new Error(
      `CLIP scoring model folder ${dir} does not exist. Create it and put ${CLIP_FOLDER_CONTENTS} in it`,
    );
  const configFile = path.join(dir, 'config.json');
  if (!fs.existsSync(configFile))
    throw new Error(`CLIP scoring model folder ${dir} has no config.json. Put ${CLIP_FOLDER_CONTENTS} in it`);
  let parsed: z.infer<typeof configKindSchema>;
  try {
    parsed = configKindSchema.parse(JSON.parse(fs.readFileSync(configFile, 'utf8')));
  } catch (error) {
    throw new Error(
      `${configFile}: not a valid config (${(error as Error).message}); replace it with the model's config.json`,
    );
  }
  const kind = parsed.model_type ?? parsed.architectures?.join(', ') ?? 'unknown';
  const full =
    parsed.model_type === 'clip' || parsed.architectures?.includes('CLIPModel') || parsed.vision_config;
  if (!full)
    throw new Error(
      `${configFile} describes a "${kind}" model, not a CLIPModel with text and vision towers; scoring needs both. ` +
        `Put ${CLIP_FOLDER_CONTENTS} in ${dir}`,
    );
}
