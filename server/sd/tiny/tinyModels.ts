/**
 * The embedded tiny models the studio makes for itself, so the default workflows run on any laptop and
 * every test runs in CI without downloads:
 *   models/checkpoints/tiny-sd.safetensors   SD 1.x single-file checkpoint (ldm keys, configs in metadata)
 *   models/tokenizers/tiny-sd/              its BPE vocabulary (vocab.json, merges.txt, tokenizer_config.json)
 *   models/checkpoints/tiny-sd2.safetensors  optional SD 2.x twin (OpenCLIP keys, v-prediction in metadata)
 *   models/tokenizers/tiny-sd2/             its vocabulary (pads with "!")
 *   models/clip/tiny-clip/                  scoring CLIPModel (config.json, model.safetensors + tokenizer)
 *   models/embeddings/tiny-demo.safetensors a demo embedding `<tiny-demo>` for the tiny text encoders: the
 *                                           rows of "red cat", so `a photo of <tiny-demo>` = `a photo of red cat`
 * Weights are random but deterministic (fixed seeds). Every file is written atomically and an existing file
 * is never overwritten, so a user's own files with these names are safe.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../storage/atomicWrite';
import { writeEmbeddingFile } from '../embeddings/embeddingWriter';
import { ClipTokenizer } from '../tokenizer/clipTokenizer';
import { buildTinyVocabulary, writeTokenizerFiles } from '../tokenizer/tinyVocabulary';
import { EOS_TOKEN, hasTokenizerFiles } from '../tokenizer/vocabularyFiles';
import { TOKENIZERS_FOLDER } from '../tokenizer/tokenizerLocation';
import { openLdmCheckpoint } from '../weights/ldmCheckpoint';
import { writeLdmCheckpoint } from '../weights/ldmCheckpointWriter';
import type { ModelFamily } from '../weights/modelFamily';
import {
  clipModelParameterShapes,
  clipTextParameterShapes,
  unetParameterShapes,
  vaeParameterShapes,
} from '../weights/parameterShapes';
import { writeSafetensors } from '../weights/safetensorsWriter';
import { randomWeights } from './randomWeights';
import { tinyClipConfig, tinyConfigs, TINY_VOCAB_SIZE } from './tinyConfigs';

/** Checkpoint names (without extension) of the tiny models. */
export const TINY_CHECKPOINT_NAMES: Readonly<Record<ModelFamily, string>> = {
  sd1: 'tiny-sd',
  sd2: 'tiny-sd2',
};
/** Folder name of the tiny scoring CLIP under models/clip/. */
export const TINY_CLIP_NAME = 'tiny-clip';
/** Seeds of the tiny models' weights (changing one changes the shipped model: bump nothing else). */
export const TINY_SEEDS = { sd1: 20240601, sd2: 20240602, clip: 20240603 } as const;

/** Where the tiny checkpoint of `family` lives under `modelsDir`. */
export function tinyCheckpointPath(modelsDir: string, family: ModelFamily = 'sd1'): string {
  return path.join(modelsDir, 'checkpoints', `${TINY_CHECKPOINT_NAMES[family]}.safetensors`);
}

/** Where the tiny scoring CLIP folder lives under `modelsDir`. */
export function tinyClipPath(modelsDir: string): string {
  return path.join(modelsDir, 'clip', TINY_CLIP_NAME);
}

/** What a maker did: files written and files left alone because they existed. */
export interface TinyResult {
  readonly created: string[];
  readonly kept: string[];
}

async function tokenizerInto(dir: string, padToken: string, result: TinyResult): Promise<void> {
  if (hasTokenizerFiles(dir)) {
    result.kept.push(dir);
    return;
  }
  const vocab = buildTinyVocabulary();
  if (vocab.encoder.size !== TINY_VOCAB_SIZE || vocab.encoder.get(EOS_TOKEN) !== TINY_VOCAB_SIZE - 1) {
    throw new Error(
      `the built-in tiny vocabulary has ${vocab.encoder.size} entries; the tiny models expect ${TINY_VOCAB_SIZE}`,
    );
  }
  await writeTokenizerFiles(dir, vocab, padToken);
  result.created.push(dir);
}

/** Makes the tiny checkpoint of `family` and its tokenizer, unless they exist. */
export async function makeTinyCheckpoint(
  modelsDir: string,
  family: ModelFamily = 'sd1',
): Promise<TinyResult> {
  const result: TinyResult = { created: [], kept: [] };
  const name = TINY_CHECKPOINT_NAMES[family];
  await tokenizerInto(
    path.join(modelsDir, TOKENIZERS_FOLDER, name),
    family === 'sd2' ? '!' : EOS_TOKEN,
    result,
  );
  const file = tinyCheckpointPath(modelsDir, family);
  if (fs.existsSync(file)) {
    result.kept.push(file);
    return result;
  }
  const configs = tinyConfigs(family);
  const seed = TINY_SEEDS[family];
  // the SD 2.x checkpoint holds the whole OpenCLIP tower: one block more than SD 2.x runs
  const textLayers = configs.textEncoder.num_hidden_layers + (family === 'sd2' ? 1 : 0);
  const textShapes = clipTextParameterShapes({ ...configs.textEncoder, num_hidden_layers: textLayers });
  await writeLdmCheckpoint(
    file,
    {
      family,
      configs,
      unet: randomWeights('tiny unet', unetParameterShapes(configs.unet), seed),
      vae: randomWeights('tiny vae', vaeParameterShapes(configs.vae), seed + 1000),
      textEncoder: randomWeights('tiny text encoder', textShapes, seed + 2000),
    },
    { dtype: 'F32', metadata: { 'inversion_studio.tiny': `${family} seed ${seed}` } },
  );
  result.created.push(file);
  return result;
}

/** Makes the tiny scoring CLIP folder (config, weights, tokenizer files), unless it exists. */
export async function makeTinyClip(modelsDir: string): Promise<TinyResult> {
  const result: TinyResult = { created: [], kept: [] };
  const dir = tinyClipPath(modelsDir);
  await tokenizerInto(dir, EOS_TOKEN, result);
  const weightsFile = path.join(dir, 'model.safetensors');
  const configFile = path.join(dir, 'config.json');
  const config = tinyClipConfig();
  if (!fs.existsSync(configFile)) {
    await writeFileAtomic(configFile, JSON.stringify(config, null, 2) + '\n');
    result.created.push(configFile);
  } else result.kept.push(configFile);
  if (fs.existsSync(weightsFile)) {
    result.kept.push(weightsFile);
    return result;
  }
  const weights = randomWeights('tiny clip', clipModelParameterShapes(config), TINY_SEEDS.clip);
  const entries = weights
    .names()
    .map((n) => ({ name: n, dtype: 'F32' as const, shape: weights.shape(n), data: () => weights.read(n) }));
  await writeSafetensors(weightsFile, entries, {
    format: 'pt',
    'inversion_studio.tiny': `clip seed ${TINY_SEEDS.clip}`,
  });
  result.created.push(weightsFile);
  return result;
}

/** Token and file of the demo embedding. */
export const TINY_DEMO_EMBEDDING = {
  token: '<tiny-demo>',
  file: 'tiny-demo.safetensors',
  words: 'red cat',
} as const;

/**
 * Makes `embeddings/tiny-demo.safetensors` (diffusers layout) from the tiny SD 1.x checkpoint's token rows of
 * "red cat", unless it exists; the checkpoint must exist. Both tiny families share the 32-wide text space.
 */
export async function makeTinyDemoEmbedding(modelsDir: string): Promise<TinyResult> {
  const result: TinyResult = { created: [], kept: [] };
  const file = path.join(modelsDir, 'embeddings', TINY_DEMO_EMBEDDING.file);
  if (fs.existsSync(file)) {
    result.kept.push(file);
    return result;
  }
  const checkpoint = openLdmCheckpoint(tinyCheckpointPath(modelsDir, 'sd1'));
  try {
    const width = checkpoint.configs.textEncoder.hidden_size;
    const table = checkpoint.textEncoder.read('text_model.embeddings.token_embedding.weight');
    const ids = new ClipTokenizer(buildTinyVocabulary()).tokenize(TINY_DEMO_EMBEDDING.words);
    const vectors = new Float32Array(ids.length * width);
    ids.forEach((id, i) => vectors.set(table.subarray(id * width, (id + 1) * width), i * width));
    await writeEmbeddingFile(
      file,
      [{ token: TINY_DEMO_EMBEDDING.token, numVectors: ids.length, dim: width, vectors }],
      {
        'inversion_studio.tiny': `rows of "${TINY_DEMO_EMBEDDING.words}" in tiny-sd`,
      },
    );
  } finally {
    checkpoint.close();
  }
  result.created.push(file);
  return result;
}

/** Which tiny models `ensureTinyModels` makes. */
export interface TinySelection {
  readonly families?: readonly ModelFamily[];
  readonly clip?: boolean;
  /** The demo embedding (needs the SD 1.x checkpoint, made first when missing). Default true. */
  readonly demoEmbedding?: boolean;
}

/** Makes every selected tiny model that is missing (default: SD 1.x, the scoring CLIP, the demo embedding). */
export async function ensureTinyModels(
  modelsDir: string,
  selection: TinySelection = {},
): Promise<TinyResult> {
  const result: TinyResult = { created: [], kept: [] };
  const add = (r: TinyResult) => {
    result.created.push(...r.created);
    result.kept.push(...r.kept);
  };
  const demo = selection.demoEmbedding ?? true;
  const families = new Set<ModelFamily>(selection.families ?? ['sd1']);
  if (demo) families.add('sd1');
  for (const family of families) add(await makeTinyCheckpoint(modelsDir, family));
  if (selection.clip ?? true) add(await makeTinyClip(modelsDir));
  if (demo) add(await makeTinyDemoEmbedding(modelsDir));
  return result;
}
