/**
 * Every node the studio offers, listed explicitly. A duplicate type name fails at startup (NodeRegistry).
 * Add new nodes here; group them by folder.
 */
import type { NodeDefinition } from '../server/engine/nodeDefinition';
import { emptyImage } from './image/emptyImage';
import { imageBatch } from './image/imageBatch';
import { imageInvert } from './image/imageInvert';
import { imageScale } from './image/imageScale';
import { loadImage } from './image/loadImage';
import { previewImage } from './image/previewImage';
import { saveImage } from './image/saveImage';

export const nodeDefinitions: readonly NodeDefinition[] = [
  // image
  loadImage,
  saveImage,
  previewImage,
  emptyImage,
  imageScale,
  imageInvert,
  imageBatch,
];
