/**
 * CLIP-I and CLIP-T, the textual-inversion scores, from a scoring CLIP folder (transformers `CLIPModel`).
 * The two towers are built by our graph builders on first use, each as its own session, so scoring images
 * never builds the text tower and vice versa. Texts go through the folder's tokenizer; ids can be given
 * directly for models without one.
 */
import type { ModelSession, ProviderChoice } from '../onnx/sessions';
import { createSession, ort } from '../onnx/sessions';
import { buildClipImageEmbedder, buildClipTextEmbedder, type ClipTowerGraph } from '../sd/graphs';
import { ClipTokenizer } from '../sd/tokenizer/clipTokenizer';
import { loadTokenizerForModel } from '../sd/tokenizer/tokenizerLocation';
import {
  EOS_TOKEN,
  hasTokenizerFiles,
  loadVocabulary,
  TOKENIZER_FILE_SETS,
} from '../sd/tokenizer/vocabularyFiles';
import { openClipModelFolder, type OpenedClipModel } from '../sd/weights/diffusersFolder';
import { preprocessForClip } from '../image/clipPreprocess';
import type { ImageTensor } from '../image/imageIO';
import { checkClipModelFolder } from './clipModelFolder';
import { cosineMatrix, meanPairwiseCosine, rowMeans, type EmbeddingBatch } from './cosineAverages';
import { promptWithoutPlaceholders } from './placeholderText';
import { checkTokenIds, isTokenIds, type TokenIds } from './tokenIds';

/** Options of `ClipScorer.open`. */
export interface ClipScorerOptions {
  /** The studio's models folder; its `tokenizers/` is searched when the CLIP folder has no tokenizer. */
  readonly modelsDir?: string;
  /** Execution provider of the tower sessions (default 'auto'). */
  readonly provider?: ProviderChoice;
  /** Images or texts per tower run, bounding memory (default 16). */
  readonly batchSize?: number;
}

/** What `ClipScorer.score` returns. */
export interface ClipScores {
  /** Mean cosine over all (generated, reference) image pairs. */
  readonly clipI: number;
  /** Mean cosine between each generated image and the scored prompt. */
  readonly clipT: number;
  /** The prompt text CLIP-T used (placeholders removed), or undefined when ids were given. */
  readonly scoredPrompt?: string;
  /** Placeholder pieces deleted from the prompt. */
  readonly removed: readonly string[];
  /** Per generated image: mean cosine to the references, and cosine to the prompt. */
  readonly perImage: ReadonlyArray<{ readonly clipI: number; readonly clipT: number }>;
}

/** A loaded scoring CLIP. Create with `ClipScorer.open`; call `close` to free the sessions. */
export class ClipScorer {
  private textSession?: Promise<ModelSession>;
  private imageSession?: Promise<ModelSession>;
  private tokenizer?: ClipTokenizer;

  private constructor(
    /** The model folder. */
    readonly dir: string,
    readonly config: OpenedClipModel['config'],
    /** exp(logit_scale): CLIP's logits are this times the cosine. */
    readonly logitScale: number,
    private readonly options: ClipScorerOptions,
  ) {}

  /**
   * Opens a CLIPModel folder, checking its config and every weight's shape now (so a broken folder fails
   * at load, not at the first score); the towers are built later, on first use.
   */
  static open(dir: string, options: ClipScorerOptions = {}): ClipScorer {
    checkClipModelFolder(dir);
    const opened = openClipModelFolder(dir);
    try {
      const logit = opened.weights.has('logit_scale') ? opened.weights.read('logit_scale')[0]! : Number.NaN;
      return new ClipScorer(dir, opened.config, Math.exp(logit), options);
    } finally {
      opened.close();
    }
  }

  /** Side of the square images the vision tower takes. */
  get imageSize(): number {
    return this.config.vision_config.image_size;
  }

  /** Width of the (L2-normalised) embeddings. */
  get embeddingSize(): number {
    return this.config.projection_dim;
  }

  /**
   * L2-normalised image embeddings `[n, projection_dim]` of an NHWC [0, 1] batch, preprocessed as CLIP's
   * image processor does (shortest side → image_size bicubic, centre crop, CLIP mean/std).
   */
  async imageEmbeddings(images: ImageTensor, label = 'images'): Promise<EmbeddingBatch> {
    const [n, h, w, c] = images.shape;
    if (n === 0) throw new Error(`${label}: the image batch is empty; connect at least one image`);
    const session = await (this.imageSession ??= this.buildSession('vision'));
    const perImage = h * w * c;
    return this.inChunks(n, async (start, count) => {
      const batch = {
        data: images.data.subarray(start * perImage, (start + count) * perImage),
        shape: [count, h, w, c] as const,
      };
      const pixels = preprocessForClip(batch, { imageSize: this.imageSize });
      const out = await session.run({ pixel_values: new ort.Tensor('float32', pixels.data, pixels.shape) });
      return out.image_embeds!.data as Float32Array;
    });
  }

  /** L2-normalised text embeddings `[texts, projection_dim]` of strings (tokenized) or of token ids. */
  async textEmbeddings(input: readonly string[] | TokenIds): Promise<EmbeddingBatch> {
    const ids = isTokenIds(input) ? input : this.tokenize(input);
    checkTokenIds(ids, {
      vocabSize: this.config.text_config.vocab_size,
      maxLength: this.config.text_config.max_position_embeddings,
    });
    const session = await (this.textSession ??= this.buildSession('text'));
    const [texts, sequence] = ids.shape;
    return this.inChunks(texts, async (start, count) => {
      const rows = ids.data.subarray(start * sequence, (start + count) * sequence);
      const out = await session.run({ input_ids: new ort.Tensor('int32', rows, [count, sequence]) });
      return out.text_embeds!.data as Float32Array;
    });
  }

  /** Token ids of `texts` from the folder's tokenizer (or models/tokenizers/), padded to 77. */
  tokenize(texts: readonly string[]): TokenIds {
    if (texts.length === 0) throw new Error('no texts to encode; give at least one prompt');
    const tokenizer = this.loadTokenizer();
    return { data: tokenizer.encodeBatch(texts), shape: [texts.length, tokenizer.maxLength] };
  }

  /** CLIP-I: mean cosine over all (generated, reference) pairs. */
  async clipI(generated: ImageTensor, reference: ImageTensor): Promise<number> {
    return meanPairwiseCosine(
      await this.imageEmbeddings(generated, 'images'),
      await this.imageEmbeddings(reference, 'reference_images'),
    );
  }

  /**
   * CLIP-T: mean cosine between each generated image and the prompt. A string prompt is scored with its
   * placeholder(s) removed (see placeholderText.ts); ids are used as given.
   */
  async clipT(
    generated: ImageTensor,
    prompt: string | TokenIds,
    placeholders: readonly string[] = [],
  ): Promise<number> {
    const text = await this.promptEmbedding(prompt, placeholders);
    return meanPairwiseCosine(await this.imageEmbeddings(generated, 'images'), text.embedding);
  }

  /** Both scores and the per-image values, embedding each image batch once. */
  async score(input: {
    generated: ImageTensor;
    reference: ImageTensor;
    prompt: string | TokenIds;
    placeholders?: readonly string[];
  }): Promise<ClipScores> {
    const generated = await this.imageEmbeddings(input.generated, 'images');
    const reference = await this.imageEmbeddings(input.reference, 'reference_images');
    const text = await this.promptEmbedding(input.prompt, input.placeholders ?? []);
    const toReference = rowMeans(cosineMatrix(generated, reference));
    const toPrompt = rowMeans(cosineMatrix(generated, text.embedding));
    const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
    return {
      clipI: mean(toReference),
      clipT: mean(toPrompt),
      scoredPrompt: text.scoredPrompt,
      removed: text.removed,
      perImage: toReference.map((clipI, i) => ({ clipI, clipT: toPrompt[i]! })),
    };
  }

  /** Releases the sessions; the scorer can be used again (the towers are rebuilt). */
  async close(): Promise<void> {
    const sessions = [this.textSession, this.imageSession];
    this.textSession = this.imageSession = undefined;
    for (const s of sessions) await (await s?.catch(() => undefined))?.release();
  }

  private async promptEmbedding(
    prompt: string | TokenIds,
    placeholders: readonly string[],
  ): Promise<{ embedding: EmbeddingBatch; scoredPrompt?: string; removed: readonly string[] }> {
    if (isTokenIds(prompt)) return { embedding: await this.textEmbeddings(prompt), removed: [] };
    if (prompt.trim().length === 0)
      throw new Error(
        'prompt is empty; CLIP-T needs the prompt the images were sampled with, placeholder included',
      );
    const { text, removed } = promptWithoutPlaceholders(prompt, placeholders);
    if (text.length === 0)
      throw new Error(
        `prompt "${prompt}" is empty once its placeholder is removed, so CLIP-T has nothing to compare; ` +
          'write the prompt the images were sampled with, e.g. "a photo of <cat-toy> on the beach"',
      );
    return { embedding: await this.textEmbeddings([text]), scoredPrompt: text, removed };
  }

  private loadTokenizer(): ClipTokenizer {
    if (this.tokenizer) return this.tokenizer;
    const vocabSize = this.config.text_config.vocab_size;
    const modelsDir = this.options.modelsDir;
    try {
      if (modelsDir) {
        this.tokenizer = loadTokenizerForModel({
          modelsDir,
          checkpointPath: this.dir,
          modelTokenizerDir: this.dir,
          family: 'sd1',
          vocabSize,
        });
      } else {
        if (!hasTokenizerFiles(this.dir))
          throw new Error(`no tokenizer files (${TOKENIZER_FILE_SETS.join(' or ')})`);
        const vocab = loadVocabulary(this.dir);
        this.tokenizer = new ClipTokenizer(vocab, { padToken: vocab.padToken ?? EOS_TOKEN });
        if (this.tokenizer.size > vocabSize)
          throw new Error(
            `its tokenizer has ${this.tokenizer.size} tokens but the text tower only ${vocabSize} rows`,
          );
      }
    } catch (error) {
      throw new Error(
        `scoring CLIP ${this.dir} cannot encode text: ${(error as Error).message}. ` +
          "Put the model's vocab.json + merges.txt in its folder, or score with token ids",
      );
    }
    return this.tokenizer;
  }

  private async buildSession(tower: 'text' | 'vision'): Promise<ModelSession> {
    const opened = openClipModelFolder(this.dir);
    let graph: ClipTowerGraph;
    try {
      graph =
        tower === 'text'
          ? buildClipTextEmbedder(opened.config, opened.weights)
          : buildClipImageEmbedder(opened.config, opened.weights);
    } finally {
      opened.close();
    }
    return createSession(
      graph.model,
      { provider: this.options.provider ?? 'auto' },
      `scoring CLIP ${tower} tower`,
    );
  }

  /** Runs `work` over [start, start + count) chunks of `total` rows and joins the embeddings. */
  private async inChunks(
    total: number,
    work: (start: number, count: number) => Promise<Float32Array>,
  ): Promise<EmbeddingBatch> {
    const size = Math.max(1, this.options.batchSize ?? 16);
    const dim = this.embeddingSize;
    const data = new Float32Array(total * dim);
    for (let start = 0; start < total; start += size) {
      const count = Math.min(size, total - start);
      data.set(await work(start, count), start * dim);
    }
    return { data, shape: [total, dim] };
  }
}
