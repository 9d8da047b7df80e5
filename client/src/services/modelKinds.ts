/**
 * The model folders the model library shows, as a table: which files of a folder are models, the file
 * whose safetensors metadata describes one, and the loader node (and its widget) a model is added with.
 */

export interface ModelKind {
  folder: string;
  title: string;
  /** The models among a folder's files (their names as the loader's combo lists them). */
  models(files: readonly string[]): string[];
  /** The safetensors file (inside the folder) holding a model's metadata. */
  metadataFile(model: string): string;
  loader: { type: string; widget: string };
}

const withExtension =
  (...extensions: string[]) =>
  (files: readonly string[]) =>
    files.filter((f) => extensions.some((e) => f.toLowerCase().endsWith(e)));

export const MODEL_KINDS: readonly ModelKind[] = [
  {
    folder: 'checkpoints',
    title: 'Checkpoints',
    models: withExtension('.safetensors', '.ckpt'),
    metadataFile: (m) => m,
    loader: { type: 'CheckpointLoaderSimple', widget: 'ckpt_name' },
  },
  {
    folder: 'embeddings',
    title: 'Embeddings',
    models: withExtension('.safetensors', '.pt', '.bin'),
    metadataFile: (m) => m,
    loader: { type: 'LoadEmbedding', widget: 'embedding_name' },
  },
  {
    // a scoring CLIP is a transformers folder: one model per folder holding config.json
    folder: 'clip',
    title: 'CLIP models',
    models: (files) =>
      files.filter((f) => f.endsWith('/config.json')).map((f) => f.slice(0, -'/config.json'.length)),
    metadataFile: (m) => `${m}/model.safetensors`,
    loader: { type: 'CLIPScoreModelLoader', widget: 'clip_name' },
  },
];
