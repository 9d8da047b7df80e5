// Loaded with `node --import` (NODE_OPTIONS) by gpu:check: when STUDIO_ORT_NODE_DIR names another
// onnxruntime-node package folder, every import of onnxruntime-node resolves there instead of the project's.
import { register } from 'node:module';

if (process.env.STUDIO_ORT_NODE_DIR) {
  register('./ortPackageResolve.mjs', import.meta.url, { data: { dir: process.env.STUDIO_ORT_NODE_DIR } });
}
