// Resolve hook of ortPackageHook.mjs: onnxruntime-node (and its subpaths) resolve from the node_modules
// folder that holds STUDIO_ORT_NODE_DIR.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

let parentURL;

export function initialize(data) {
  parentURL = pathToFileURL(path.join(path.dirname(path.dirname(data.dir)), 'resolve-from.mjs')).href;
}

export async function resolve(specifier, context, next) {
  if (parentURL && (specifier === 'onnxruntime-node' || specifier.startsWith('onnxruntime-node/'))) {
    return next(specifier, { ...context, parentURL });
  }
  return next(specifier, context);
}
