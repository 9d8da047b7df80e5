/**
 * Every node the studio offers, listed explicitly. A duplicate type name fails at startup (NodeRegistry).
 * Add new nodes here; group them by folder.
 */
import type { NodeDefinition } from '../server/engine/nodeDefinition';
import { emptyImage } from './image/emptyImage';
import { imageBatch } from './image/imageBatch';
import { imageInvert } from './image/imageInvert';
import { imageScale } from './image/imageScale';
import { imageStitch } from './image/imageStitch';
import { loadImage } from './image/loadImage';
import { previewImage } from './image/previewImage';
import { saveImage } from './image/saveImage';
import { saveImageWebsocket } from './image/saveImageWebsocket';
import { clipScoreModelLoader } from './scoring/clipLoader';
import { textualInversionCheckpointCurve } from './scoring/checkpointCurve';
import { clipScore } from './scoring/clipScore';
import { shapesWorldOracle } from './scoring/shapesWorldOracle';
import { checkpointLoaderSimple } from './sd/checkpointLoaderSimple';
import { clipTextEncode } from './sd/clipTextEncode';
import { emptyLatentImage } from './sd/emptyLatentImage';
import { kSampler } from './sd/kSampler';
import { vaeDecode } from './sd/vaeDecode';
import { vaeEncode } from './sd/vaeEncode';
import { loadEmbedding } from './training/loadEmbedding';
import { loadImageBatch } from './training/loadImageBatch';
import { loadImagesFromFolder } from './training/loadImagesFromFolder';
import { saveEmbedding } from './training/saveEmbedding';
import { textualInversionTrainer } from './training/textualInversionTrainer';

export const nodeDefinitions: readonly NodeDefinition[] = [
  // image
  loadImage,
  saveImage,
  saveImageWebsocket,
  previewImage,
  emptyImage,
  imageScale,
  imageInvert,
  imageBatch,
  imageStitch,
  // scoring
  clipScoreModelLoader,
  clipScore,
  textualInversionCheckpointCurve,
  shapesWorldOracle,
  // stable diffusion
  checkpointLoaderSimple,
  clipTextEncode,
  emptyLatentImage,
  kSampler,
  vaeDecode,
  vaeEncode,
  // training
  loadImagesFromFolder,
  loadImageBatch,
  textualInversionTrainer,
  saveEmbedding,
  loadEmbedding,
];
