/**
 * The frozen SD model the studio runs (the MODEL / CLIP / VAE values of `CheckpointLoaderSimple`): the same
 * object whatever the source format. Each component's onnxruntime session is created on first use and kept
 * until `release()`; calls take and return plain float32 tensors and convert to whatever element types the
 * graphs declare. Nothing here changes weights: training reads `tokenEmbeddings()` and
 * `differentiableComponents()` and builds its own graphs.
 */
import { createSession, type ModelSession, type ort, type ProviderChoice } from '../../onnx/sessions';
import type { AttentionKernel } from '../graphs';
import type { ClipTokenizer } from '../tokenizer/clipTokenizer';
import { loadTokenizerForModel, type TokenizerLookup } from '../tokenizer/tokenizerLocation';
import type { ConfigOverrides } from '../weights/configOverrides';
import type { ModelConfigs } from '../weights/modelWeights';
import type { ModelFamily } from '../weights/modelFamily';
import type { ComponentName, ModelComponents, ModelWithBase } from './modelComponents';
import type { FrozenModelInfo } from './modelInfo';
import { feedTypeOfOrt, floatFeed, fromOrt, intFeed, type FeedType, type FloatTensor } from './tensors';

/** How sessions are created. */
export interface SessionSettings {
  readonly provider?: ProviderChoice;
  /** Intra-op threads per session (default: onnxruntime's choice). */
  readonly threads?: number;
  readonly onNotice?: (message: string) => void;
}

/**
 * What `loadFrozenModel` was called with, plain JSON: enough for another process to open the same model
 * (the training-step session is built in a child process so its garbage never lives in the trainer's).
 */
export interface FrozenModelSource {
  readonly path: string;
  readonly cacheDir?: string;
  readonly modelsDir?: string;
  readonly configs?: ConfigOverrides;
  readonly attention?: AttentionKernel;
}

/** Output of the text encoder. */
export interface TextEncoding {
  /** [B, S, hidden]: the UNet conditioning. */
  readonly lastHiddenState: FloatTensor;
  /** [B, hidden] at the first EOS position, when the graph has it. */
  readonly pooled?: FloatTensor;
}

/** The VAE posterior of an image batch (unscaled; multiply the mean by `info.scalingFactor` for the UNet). */
export interface LatentMoments {
  /** [B, latent, h, w]. */
  readonly mean: FloatTensor;
  /** [B, latent, h, w], clamped to [-30, 20] as diffusers does. */
  readonly logvar: FloatTensor;
}

/** The graphs the trainer needs, as messages plus the folders their external data lives in. */
export interface DifferentiableComponents {
  /** `inputs_embeds` [B, S, hidden] (and `input_ids` when the graph still reads them) → `last_hidden_state`. */
  readonly textEncoderEmbeds: ModelWithBase;
  /** `sample`, `timestep`, `encoder_hidden_states` → `out_sample`; plain ops only. */
  readonly unet: ModelWithBase;
}

interface OpenSession {
  readonly session: ModelSession;
  readonly types: ReadonlyMap<string, FeedType>;
}

/** A loaded, frozen SD 1.x / 2.x model. Create it with `loadFrozenModel`. */
export class FrozenModel {
  private readonly sessions = new Map<ComponentName, Promise<OpenSession>>();
  private sharedTokenizer: ClipTokenizer | undefined;

  constructor(
    readonly info: FrozenModelInfo,
    /** Diffusers configs (undefined for ONNX exports, which carry none). */
    readonly configs: ModelConfigs | undefined,
    /** The raw diffusers scheduler config (`scheduler_config.json`) samplers are built from. */
    readonly schedulerConfig: Readonly<Record<string, unknown>>,
    private readonly components: ModelComponents,
    private readonly settings: SessionSettings,
    private readonly tokenizerLookup: TokenizerLookup,
    /** How to open the model again elsewhere (checkpoints and diffusers folders with a build cache). */
    readonly source?: FrozenModelSource,
  ) {}

  get family(): ModelFamily {
    return this.info.family;
  }

  /** A short name for messages: the checkpoint's file or folder name. */
  get name(): string {
    return this.info.path.split(/[\\/]/).filter(Boolean).pop() ?? this.info.path;
  }

  /**
   * The model's tokenizer, shared: do not add placeholders to it (use `newTokenizer()`). Throws a message
   * naming the files to put where when none is found.
   */
  tokenizer(): ClipTokenizer {
    this.sharedTokenizer ??= this.newTokenizer();
    return this.sharedTokenizer;
  }

  /** A fresh tokenizer instance, free to receive placeholder tokens. */
  newTokenizer(): ClipTokenizer {
    return loadTokenizerForModel(this.tokenizerLookup);
  }

  /** The token-embedding table [vocabSize, textHiddenSize], row i = embedding of id i (do not modify). */
  tokenEmbeddings(): Float32Array {
    return this.components.tokenEmbeddings();
  }

  /** The build cache folder of this model's weights (keyed by their content), when it has one. */
  get cacheDir(): string | undefined {
    return this.components.cacheDir;
  }

  /** Text encoder on token ids [B, S]. */
  async textEncoder(ids: Int32Array, dims: readonly number[]): Promise<TextEncoding> {
    const { session, types } = await this.open('text_encoder');
    const out = await session.run({
      input_ids: intFeed(ids, dims, types.get('input_ids') ?? 'int32', 'input_ids'),
    });
    return this.encoding(out);
  }

  /**
   * Text encoder on token embeddings [B, S, hidden] (rows of `tokenEmbeddings()` or learned vectors).
   * `ids` [B, S] are the matching token ids; they only locate the pooled EOS position, so placeholder ids
   * beyond the table are fine.
   */
  async textEncoderFromEmbeds(embeds: FloatTensor, ids: Int32Array): Promise<TextEncoding> {
    const { session, types } = await this.open('text_encoder_embeds');
    const idsDims = embeds.dims.slice(0, 2);
    const feeds = {
      inputs_embeds: floatFeed(embeds, types.get('inputs_embeds') ?? 'float32', 'inputs_embeds'),
      ...(types.has('input_ids')
        ? { input_ids: intFeed(ids, idsDims, types.get('input_ids')!, 'input_ids') }
        : {}),
    };
    return this.encoding(await session.run(feeds));
  }

  /** One UNet evaluation: `sample` [B, C, h, w], a timestep (shared or one per row), context [B, S, hidden]. */
  async unet(
    sample: FloatTensor,
    timestep: number | Float32Array,
    context: FloatTensor,
  ): Promise<FloatTensor> {
    const batch = sample.dims[0]!;
    const t = typeof timestep === 'number' ? new Float32Array(batch).fill(timestep) : timestep;
    if (t.length !== batch) throw new Error(`unet: ${t.length} timesteps for a batch of ${batch}`);
    if (context.dims[0] !== batch) {
      throw new Error(
        `unet: encoder_hidden_states batch ${context.dims[0]} differs from the sample batch ${batch}`,
      );
    }
    const { session, types } = await this.open('unet');
    const type = (name: string) => types.get(name) ?? 'float32';
    const out = await session.run({
      sample: floatFeed(sample, type('sample'), 'sample'),
      timestep: floatFeed({ data: t, dims: [batch] }, type('timestep'), 'timestep'),
      encoder_hidden_states: floatFeed(context, type('encoder_hidden_states'), 'encoder_hidden_states'),
    });
    return fromOrt(out[session.outputNames[0]!], 'unet');
  }

  /** VAE encoder moments of images [B, 3, H, W] in [-1, 1]. */
  async vaeEncodeMoments(image: FloatTensor): Promise<LatentMoments> {
    const { session, types } = await this.open('vae_encoder');
    const out = await session.run({ sample: floatFeed(image, types.get('sample') ?? 'float32', 'sample') });
    const moments = fromOrt(out.moments, 'vae_encoder moments');
    const [b, c2, h, w] = moments.dims as [number, number, number, number];
    const c = c2 / 2;
    const plane = c * h * w;
    const mean = new Float32Array(b * plane);
    const logvar = new Float32Array(b * plane);
    for (let i = 0; i < b; i++) {
      mean.set(moments.data.subarray(i * 2 * plane, i * 2 * plane + plane), i * plane);
      const raw = moments.data.subarray(i * 2 * plane + plane, (i + 1) * 2 * plane);
      for (let k = 0; k < plane; k++) logvar[i * plane + k] = Math.min(Math.max(raw[k]!, -30), 20);
    }
    return { mean: { data: mean, dims: [b, c, h, w] }, logvar: { data: logvar, dims: [b, c, h, w] } };
  }

  /** Latents as the sampler holds them ([B, C, h, w], scaled) → images [B, 3, 8h, 8w], roughly [-1, 1], unclamped. */
  async vaeDecode(latents: FloatTensor): Promise<FloatTensor> {
    const { session, types } = await this.open('vae_decoder');
    const scaled = new Float32Array(latents.data.length);
    const inverse = 1 / this.info.scalingFactor;
    for (let i = 0; i < scaled.length; i++) scaled[i] = latents.data[i]! * inverse;
    const out = await session.run({
      latent_sample: floatFeed(
        { data: scaled, dims: latents.dims },
        types.get('latent_sample') ?? 'float32',
        'latent_sample',
      ),
    });
    return fromOrt(out[session.outputNames[0]!], 'vae_decoder');
  }

  /** The text encoder (over embeddings, no pooling) and UNet graphs for the trainer to differentiate. */
  differentiableComponents(): DifferentiableComponents {
    return { textEncoderEmbeds: this.components.trainingTextEncoder(), unet: this.components.trainingUNet() };
  }

  /** Starts the sessions of `names` now (e.g. before timing a run). */
  async warmUp(names: readonly ComponentName[]): Promise<void> {
    await Promise.all(names.map((n) => this.open(n)));
  }

  /**
   * Frees the sessions of `names` (default: every session); the model stays usable and recreates them on
   * the next call.
   */
  async release(names?: readonly ComponentName[]): Promise<void> {
    const chosen = names ?? [...this.sessions.keys()];
    const open = chosen.flatMap((n) => this.sessions.get(n) ?? []);
    for (const n of chosen) this.sessions.delete(n);
    await Promise.all(open.map(async (p) => (await p.catch(() => undefined))?.session.release()));
  }

  /** Frees the sessions and closes weight files; the model must not be used afterwards. */
  async close(): Promise<void> {
    await this.release();
    this.components.close();
  }

  private encoding(out: Record<string, ort.Tensor>): TextEncoding {
    return {
      lastHiddenState: fromOrt(out.last_hidden_state, 'text encoder last_hidden_state'),
      pooled: out.pooler_output ? fromOrt(out.pooler_output, 'text encoder pooler_output') : undefined,
    };
  }

  private open(name: ComponentName): Promise<OpenSession> {
    let pending = this.sessions.get(name);
    if (!pending) {
      pending = this.createOpenSession(name);
      this.sessions.set(name, pending);
      pending.catch(() => this.sessions.delete(name));
    }
    return pending;
  }

  private async createOpenSession(name: ComponentName): Promise<OpenSession> {
    const location = this.components.locate(name);
    const options = {
      provider: this.settings.provider,
      threads: this.settings.threads,
      onNotice: this.settings.onNotice,
      sourceDir: location.baseDir,
    };
    const label = `${this.name} ${name}`;
    const session = await createSession('file' in location ? location.file : location.model, options, label);
    const types = new Map<string, FeedType>();
    for (const meta of session.session.inputMetadata) {
      if (!meta.isTensor) continue;
      const type = feedTypeOfOrt(meta.type);
      if (type) types.set(meta.name, type);
    }
    return { session, types };
  }
}
