/**
 * Where a model's tokenizer comes from. Single-file checkpoints carry none, so the studio looks, in order:
 *   1. the model's own tokenizer folder (a diffusers pipeline's `tokenizer/`);
 *   2. `models/tokenizers/<checkpoint name>/` (e.g. `tiny-sd/` for `tiny-sd.safetensors`);
 *   3. `models/tokenizers/clip/`, shared by every SD 1.x and 2.x checkpoint (both use CLIP's BPE merges);
 *   4. the studio's bundled copy of OpenAI's CLIP vocabulary (the repository's `models/tokenizers/clip/`), so a
 *      real checkpoint works with no other file even under another `--models-dir`.
 * Each folder holds `vocab.json` + `merges.txt`, or `tokenizer.json`, or `bpe_simple_vocab_16e6.txt.gz`.
 * The pad token comes from a per-model folder's tokenizer config, else from the family (SD 1.x pads with
 * `<|endoftext|>`, SD 2.x with `!`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelWeights } from '../weights/modelWeights';
import type { ModelFamily } from '../weights/modelFamily';
import { defaultPadToken } from '../weights/modelFamily';
import { ClipTokenizer } from './clipTokenizer';
import { hasTokenizerFiles, loadVocabulary } from './vocabularyFiles';

/** Sub-folder of the models folder holding tokenizers. */
export const TOKENIZERS_FOLDER = 'tokenizers';
/** The shared CLIP tokenizer folder under `models/tokenizers/`. */
export const SHARED_TOKENIZER_NAME = 'clip';

/** OpenAI's CLIP BPE vocabulary shipped with the studio (MIT licence, see models/README.md). */
export const BUNDLED_TOKENIZER_DIR = path.resolve(import.meta.dirname, '../../../models/tokenizers/clip');

/** What `loadTokenizerForModel` needs to find a model's tokenizer. */
export interface TokenizerLookup {
  /** The studio's models folder (holding checkpoints/, tokenizers/, …). */
  readonly modelsDir: string;
  /** The checkpoint file or folder; its name selects `models/tokenizers/<name>/`. */
  readonly checkpointPath?: string;
  /** A tokenizer folder shipped with the model (a diffusers pipeline's `tokenizer/`). */
  readonly modelTokenizerDir?: string;
  readonly family: ModelFamily;
  /** Rows of the text encoder's token embedding; the tokenizer must not exceed it. */
  readonly vocabSize?: number;
}

/** The checkpoint's name without extension (`tiny-sd.safetensors` → `tiny-sd`). */
export function checkpointStem(checkpointPath: string): string {
  return path.basename(checkpointPath).replace(/\.(safetensors|ckpt|pt|bin)$/i, '');
}

/** Folders searched, in order, with whether each belongs to this model alone. */
export function tokenizerCandidates(lookup: TokenizerLookup): Array<{ dir: string; perModel: boolean }> {
  const root = path.join(lookup.modelsDir, TOKENIZERS_FOLDER);
  const out: Array<{ dir: string; perModel: boolean }> = [];
  if (lookup.modelTokenizerDir) out.push({ dir: lookup.modelTokenizerDir, perModel: true });
  if (lookup.checkpointPath)
    out.push({ dir: path.join(root, checkpointStem(lookup.checkpointPath)), perModel: true });
  const shared = path.join(root, SHARED_TOKENIZER_NAME);
  out.push({ dir: shared, perModel: false });
  if (path.resolve(shared) !== BUNDLED_TOKENIZER_DIR)
    out.push({ dir: BUNDLED_TOKENIZER_DIR, perModel: false });
  return out;
}

/** Loads the tokenizer for a model, or throws a message saying exactly which files to put where. */
export function loadTokenizerForModel(lookup: TokenizerLookup): ClipTokenizer {
  const candidates = tokenizerCandidates(lookup);
  const found = candidates.find((c) => fs.existsSync(c.dir) && hasTokenizerFiles(c.dir));
  if (!found) {
    const root = path.join(lookup.modelsDir, TOKENIZERS_FOLDER);
    const own = lookup.checkpointPath
      ? ` or ${path.join(root, checkpointStem(lookup.checkpointPath))}/ (this checkpoint only)`
      : '';
    throw new Error(
      `no CLIP tokenizer found${lookup.checkpointPath ? ` for ${path.basename(lookup.checkpointPath)}` : ''}. ` +
        `Put vocab.json + merges.txt (the tokenizer/ folder of Hugging Face openai/clip-vit-large-patch14), or tokenizer.json, ` +
        `or bpe_simple_vocab_16e6.txt.gz (from github.com/openai/CLIP, clip/ folder) into ${path.join(root, SHARED_TOKENIZER_NAME)}/ ` +
        `(shared by all SD 1.x and 2.x checkpoints)${own}. Looked in: ${candidates.map((c) => c.dir).join(', ')}`,
    );
  }
  const vocab = loadVocabulary(found.dir);
  const padToken = (found.perModel ? vocab.padToken : undefined) ?? defaultPadToken(lookup.family);
  const tokenizer = new ClipTokenizer(vocab, { padToken });
  if (lookup.vocabSize !== undefined && tokenizer.size > lookup.vocabSize) {
    throw new Error(
      `tokenizer in ${found.dir} has ${tokenizer.size} tokens but the text encoder's embedding table has ${lookup.vocabSize} rows: ` +
        `it belongs to another model. Put this model's own tokenizer files in ${candidates.find((c) => c.perModel)?.dir ?? found.dir}/`,
    );
  }
  return tokenizer;
}

/** The tokenizer of an opened model: its own folder, then models/tokenizers/<name>/, then the shared one. */
export function tokenizerForModel(model: ModelWeights, modelsDir: string): ClipTokenizer {
  return loadTokenizerForModel({
    modelsDir,
    checkpointPath: model.path,
    modelTokenizerDir: model.tokenizerDir,
    family: model.family,
    vocabSize: model.configs.textEncoder.vocab_size,
  });
}
