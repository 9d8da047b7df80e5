/**
 * Writes the toy models in the layouts real models come in, so the studio's loaders read them as they read
 * downloaded files: an ldm single-file SD 1.x checkpoint (configs in its metadata) with its tokenizer folder,
 * and a transformers-layout CLIP folder (config.json, model.safetensors, tokenizer files) for scoring.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../storage/atomicWrite';
import { writeTokenizerFiles } from '../../sd/tokenizer/tinyVocabulary';
import { EOS_TOKEN } from '../../sd/tokenizer/vocabularyFiles';
import { writeLdmCheckpoint } from '../../sd/weights/ldmCheckpointWriter';
import { writeSafetensors } from '../../sd/weights/safetensorsWriter';
import { toyClipConfig, toyModelConfigs } from './toyConfigs';
import { weightSource, type Weights } from './toyRecipe';
import { toyVocabulary } from './toyVocabulary';
import { defaultPadToken, type ModelFamily } from '../../sd/weights/modelFamily';

/** Names of the shipped toy models under the models folder (the embedding is the one sample-with-embedding loads). */
export const TOY_NAMES = {
  checkpoint: 'toy-shapes',
  /** The SD 2.x twin (v-prediction, OpenCLIP-layout text tower). */
  checkpointSd2: 'toy-shapes-sd2',
  clip: 'toy-shapes-clip',
  embedding: 'toy-ring',
} as const;

function checkpointName(family: ModelFamily): string {
  return family === 'sd2' ? TOY_NAMES.checkpointSd2 : TOY_NAMES.checkpoint;
}

export function toyCheckpointPath(modelsDir: string, family: ModelFamily = 'sd1'): string {
  return path.join(modelsDir, 'checkpoints', `${checkpointName(family)}.safetensors`);
}

/** The tokenizer folder of a toy checkpoint (`tokenizers/<checkpoint name>/`, where the loaders look). */
function toyTokenizerPath(modelsDir: string, family: ModelFamily): string {
  return path.join(modelsDir, 'tokenizers', checkpointName(family));
}

export function toyClipPath(modelsDir: string): string {
  return path.join(modelsDir, 'clip', TOY_NAMES.clip);
}

/** Only the text tower of a CLIPModel's weights (`text_model.*`), as a CLIPTextModel holds them. */
function textTower(clip: Weights): Weights {
  return new Map([...clip].filter(([k]) => k.startsWith('text_model.')));
}

/**
 * Writes checkpoint + tokenizer of the generator (`family` sd2: the SD 2.x twin, whose OpenCLIP-layout text
 * tower's last, never-run block is written as zeros); returns the files written.
 */
export async function writeToyCheckpoint(
  modelsDir: string,
  parts: { text: Weights; vae: Weights; unet: Weights; scalingFactor: number; provenance: string },
  family: ModelFamily = 'sd1',
): Promise<string[]> {
  const file = toyCheckpointPath(modelsDir, family);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await writeLdmCheckpoint(
    file,
    {
      family,
      configs: toyModelConfigs(parts.scalingFactor, family),
      unet: weightSource('toy unet', parts.unet),
      vae: weightSource('toy vae', parts.vae),
      textEncoder: weightSource('toy text encoder', textTower(parts.text)),
    },
    { dtype: 'F32', metadata: { 'inversion_studio.toy': parts.provenance } },
  );
  const tokenizer = toyTokenizerPath(modelsDir, family);
  await writeTokenizerFiles(tokenizer, toyVocabulary(), defaultPadToken(family));
  return [file, tokenizer];
}

/** Writes the scoring CLIP folder; returns it. */
export async function writeToyClip(modelsDir: string, clip: Weights, provenance: string): Promise<string> {
  const dir = toyClipPath(modelsDir);
  fs.mkdirSync(dir, { recursive: true });
  await writeTokenizerFiles(dir, toyVocabulary(), EOS_TOKEN);
  await writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify(toyClipConfig(), null, 2)}\n`);
  const entries = [...clip].map(([name, w]) => ({
    name,
    dtype: 'F32' as const,
    shape: w.dims,
    data: w.data,
  }));
  await writeSafetensors(path.join(dir, 'model.safetensors'), entries, {
    format: 'pt',
    'inversion_studio.toy': provenance,
  });
  return dir;
}

export function toyEmbeddingPath(modelsDir: string): string {
  return path.join(modelsDir, 'embeddings', `${TOY_NAMES.embedding}.safetensors`);
}

/** Every file of the toy models, relative to a models folder (the embedding where it exists). */
export function toyModelFiles(modelsDir: string): string[] {
  const folders = [
    toyTokenizerPath(modelsDir, 'sd1'),
    toyTokenizerPath(modelsDir, 'sd2'),
    toyClipPath(modelsDir),
  ];
  const sd2 = toyCheckpointPath(modelsDir, 'sd2');
  return [
    path.relative(modelsDir, toyCheckpointPath(modelsDir)),
    ...(fs.existsSync(sd2) ? [path.relative(modelsDir, sd2)] : []),
    ...folders.flatMap((dir) =>
      fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.relative(modelsDir, path.join(dir, f))) : [],
    ),
    ...(fs.existsSync(toyEmbeddingPath(modelsDir))
      ? [path.relative(modelsDir, toyEmbeddingPath(modelsDir))]
      : []),
  ];
}

/**
 * Copies the toy models shipped in `shippedDir` (the repo's models/) into `modelsDir` where they are missing,
 * so a studio on another models folder still has its embedded default. Returns the files copied; an empty
 * list when `modelsDir` is the shipped folder. Throws, naming `npm run models:toy`, when the shipped files
 * are missing.
 */
export async function installToyModels(modelsDir: string, shippedDir: string): Promise<string[]> {
  if (!fs.existsSync(toyCheckpointPath(shippedDir))) {
    throw new Error(
      `the embedded toy model ${toyCheckpointPath(shippedDir)} is missing; restore it with git or rebuild it with \`npm run models:toy\``,
    );
  }
  if (path.resolve(modelsDir) === path.resolve(shippedDir)) return [];
  const copied: string[] = [];
  for (const file of toyModelFiles(shippedDir)) {
    const target = path.join(modelsDir, file);
    if (fs.existsSync(target)) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, fs.readFileSync(path.join(shippedDir, file)));
    copied.push(file);
  }
  return copied;
}
