/**
 * Frozen-model graphs built by our graph builders from checkpoint weights (single-file ldm checkpoints and
 * diffusers folders alike, both opened as `ModelWeights`). Inference graphs use onnxruntime's fused
 * attention kernel; the graphs handed to the trainer use plain ops so autodiff can differentiate them.
 * Each graph is built on first use and kept in the `GraphCache` (on disk when it has a folder).
 */
import { loadModel } from '../../onnx/modelIO';
import type { ModelProto } from '../../onnx/proto';
import {
  buildTextEncoder,
  buildUNet,
  buildVaeDecoder,
  buildVaeEncoder,
  type AttentionKernel,
} from '../graphs';
import type { ModelWeights } from '../weights/modelWeights';
import type { GraphCache } from './graphCache';
import {
  withoutPooling,
  type ComponentLocation,
  type ComponentName,
  type ModelComponents,
  type ModelWithBase,
} from './modelComponents';

const TOKEN_EMBEDDING_KEY = 'text_model.embeddings.token_embedding.weight';

/** The components (`ModelComponents`) of a model, built from its `ModelWeights`. */
export class ComponentsFromWeights implements ModelComponents {
  private readonly located = new Map<string, ComponentLocation>();
  private table: Float32Array | undefined;

  constructor(
    private readonly source: ModelWeights,
    private readonly cache: GraphCache,
    private readonly inferenceAttention: AttentionKernel = 'fused',
  ) {}

  get cacheDir(): string | undefined {
    return this.cache.dir;
  }

  locate(name: ComponentName): ComponentLocation {
    return this.obtain(name, () => this.build(name, this.inferenceAttention));
  }

  trainingTextEncoder(): ModelWithBase {
    return this.asModel(
      this.obtain('text_encoder_train', () =>
        withoutPooling(this.buildText({ input: 'embeddings', pooled: false })),
      ),
    );
  }

  trainingUNet(): ModelWithBase {
    const name = this.inferenceAttention === 'standard' ? 'unet' : 'unet_train';
    return this.asModel(this.obtain(name, () => this.build('unet', 'standard')));
  }

  tokenEmbeddings(): Float32Array {
    this.table ??= this.source.textEncoder.read(TOKEN_EMBEDDING_KEY);
    return this.table;
  }

  close(): void {
    this.source.close();
  }

  private obtain(name: string, build: () => ModelProto): ComponentLocation {
    let found = this.located.get(name);
    if (!found) {
      found = this.cache.obtain(name, build);
      this.located.set(name, found);
    }
    return found;
  }

  private asModel(location: ComponentLocation): ModelWithBase {
    if ('model' in location) return { model: location.model };
    const { model, baseDir } = loadModel(location.file);
    return { model, baseDir };
  }

  private buildText(options: Parameters<typeof buildTextEncoder>[2]): ModelProto {
    return buildTextEncoder(this.source.configs.textEncoder, this.source.textEncoder, options).model;
  }

  private build(name: ComponentName, attention: AttentionKernel): ModelProto {
    const { configs, unet, vae } = this.source;
    switch (name) {
      case 'text_encoder':
        return this.buildText({ input: 'ids' });
      case 'text_encoder_embeds':
        return this.buildText({ input: 'embeddings', pooled: true });
      case 'unet':
        return buildUNet(configs.unet, unet, { attention }).model;
      case 'vae_encoder':
        return buildVaeEncoder(configs.vae, vae, { attention }).model;
      case 'vae_decoder':
        return buildVaeDecoder(configs.vae, vae, { attention }).model;
    }
  }
}
