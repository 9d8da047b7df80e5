/**
 * Stable Diffusion graph builders: config (diffusers / transformers config.json fields) + weights (by
 * diffusers key name, float32 on read) → ONNX ModelProto, computed in float32 at opset 17.
 */
export { buildTextEncoder, type TextEncoderGraph, type TextEncoderOptions } from './clipTextEncoder';
export { buildUNet, sinusoidFrequencies, type UNetGraph } from './unet';
export { buildVaeDecoder, buildVaeEncoder, type VaeGraph } from './vae';
export { buildClipImageEmbedder, buildClipTextEmbedder, type ClipTowerGraph } from './clipScoring';
export type { ClipModelConfig, ClipTextConfig, ClipVisionConfig, UNetConfig, VaeConfig } from './configTypes';
export type { WeightReader } from './weightBinder';
export type { BuiltGraph } from './builtGraph';
export type { AttentionKernel } from './attention';
export type { UNetOptions } from './unet';
export type { VaeOptions } from './vae';
