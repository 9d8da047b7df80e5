/**
 * `npm start` builds the Vue client when client/dist is missing or older than its sources, using Vite's
 * build API with client/vite.config.ts (the same config `npm run build:client` uses).
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { consoleLogger, repoRoot, type StudioLogger } from './config';

/** Sources outside client/ that the client imports (only the wire contract); changing them also needs a rebuild. */
export const SHARED_WITH_CLIENT = ['protocol'];

async function newestMtime(target: string): Promise<number> {
  const info = await stat(target).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(target, { recursive: true, withFileTypes: true });
  let newest = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** True when `clientDir/dist/index.html` is missing or older than any source of the build. */
export async function isClientBuildStale(
  clientDir: string,
  extraSources: readonly string[] = [],
): Promise<boolean> {
  const built = await stat(path.join(clientDir, 'dist', 'index.html')).catch(() => null);
  if (!built) return true;
  const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((p) => path.join(clientDir, p));
  for (const source of [...sources, ...extraSources]) {
    if ((await newestMtime(source)) > built.mtimeMs) return true;
  }
  return false;
}

export type ClientBuildResult = 'fresh' | 'built' | 'skipped';

/** Builds the client if stale. Without client/vite.config.ts it warns and skips (server-only checkout). */
export async function ensureClientBuilt(
  options: { clientDir?: string; log?: StudioLogger } = {},
): Promise<ClientBuildResult> {
  const log = options.log ?? consoleLogger;
  const clientDir = options.clientDir ?? path.join(repoRoot, 'client');
  const configFile = path.join(clientDir, 'vite.config.ts');
  if (!existsSync(configFile)) {
    log.warn(`no ${path.relative(repoRoot, configFile)}; skipping the client build (the API still works)`);
    return 'skipped';
  }
  const shared = SHARED_WITH_CLIENT.map((p) => path.join(repoRoot, p));
  if (!(await isClientBuildStale(clientDir, shared))) return 'fresh';
  log.info('building the client (vite)…');
  const { build } = await import('vite');
  await build({ configFile, logLevel: 'warn', mode: 'production' });
  return 'built';
}
