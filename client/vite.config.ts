/**
 * Vite config for the studio's browser client. The server (server/clientBuild.ts) builds with this same
 * file, so `npm start`, `npm run build:client` and `npm run dev:client` all agree on root and outDir.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const clientRoot = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(clientRoot, '..');
const studioTarget = process.env.STUDIO_URL ?? 'http://127.0.0.1:8188';

/** Server routes the dev server forwards to a running studio (`npm start`). */
const proxiedRoutes = [
  '/api',
  '/view',
  '/upload',
  '/prompt',
  '/queue',
  '/history',
  '/interrupt',
  '/object_info',
  '/embeddings',
  '/models',
  '/system_stats',
];

export default defineConfig({
  root: clientRoot,
  base: '/',
  plugins: [vue()],
  build: {
    outDir: path.join(clientRoot, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      onwarn(warning, warn) {
        // litegraph's number prompt uses eval for arithmetic input; that is the library's choice, not ours
        if (warning.code === 'EVAL' && warning.id?.includes('@comfyorg/litegraph')) return;
        warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    fs: { allow: [repoRoot] },
    proxy: {
      ...Object.fromEntries(proxiedRoutes.map((route) => [route, { target: studioTarget }])),
      '/ws': { target: studioTarget, ws: true },
    },
  },
});
