/**
 * Installs the CUDA runtime of `npm run gpu:check` into a cache folder, from the npm registry only:
 * onnxruntime-node at the release the provider was built for (`npm install --ignore-scripts`, so its own
 * installer downloads nothing) and the provider libraries (`npm pack` of the provider package, two files
 * extracted beside onnxruntime's own library, where it looks for providers). Kept apart from the project's
 * node_modules: the studio itself stays on its pinned onnxruntime-node.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CUDA_RUNTIME } from './cudaRequirements';

/** An installed runtime: the onnxruntime-node package folder and the folder holding its native libraries. */
export interface CudaRuntime {
  readonly ortNodeDir: string;
  readonly nativeDir: string;
}

/** The runtime's folder under `cacheRoot` (one per onnxruntime release and provider package version). */
export function cudaRuntimeDir(cacheRoot: string): string {
  return path.join(
    cacheRoot,
    `onnxruntime-${CUDA_RUNTIME.onnxruntimeVersion}-cuda${CUDA_RUNTIME.cudaMajor}-${CUDA_RUNTIME.providerVersion}`,
  );
}

function runtimeAt(dir: string): CudaRuntime {
  const ortNodeDir = path.join(dir, 'node_modules', 'onnxruntime-node');
  return { ortNodeDir, nativeDir: path.join(ortNodeDir, 'bin', 'napi-v6', 'linux', 'x64') };
}

/** The runtime under `cacheRoot` when it is complete, else undefined. */
export function installedCudaRuntime(cacheRoot: string): CudaRuntime | undefined {
  const runtime = runtimeAt(cudaRuntimeDir(cacheRoot));
  const pkg = path.join(runtime.ortNodeDir, 'package.json');
  if (!fs.existsSync(pkg)) return undefined;
  const version = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version?: string }).version;
  const complete =
    version === CUDA_RUNTIME.onnxruntimeVersion &&
    CUDA_RUNTIME.providerFiles.every((f) => fs.existsSync(path.join(runtime.nativeDir, f)));
  return complete ? runtime : undefined;
}

function run(command: string, args: readonly string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}): ${(result.stderr || result.error?.message || '').trim()}`,
    );
  }
}

/** Installs the runtime unless it is complete; `log` reports each download. */
export function ensureCudaRuntime(cacheRoot: string, log: (line: string) => void): CudaRuntime {
  const ready = installedCudaRuntime(cacheRoot);
  if (ready) return ready;
  const dir = cudaRuntimeDir(cacheRoot);
  fs.mkdirSync(dir, { recursive: true });
  // its own package.json keeps npm from walking up to the project's
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
  const ortNode = `onnxruntime-node@${CUDA_RUNTIME.onnxruntimeVersion}`;
  log(`installing ${ortNode} from npm into ${dir} (install scripts off: nothing but npm packages)`);
  run(
    'npm',
    ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', ortNode],
    dir,
  );
  const provider = `${CUDA_RUNTIME.providerPackage}@${CUDA_RUNTIME.providerVersion}`;
  log(`fetching ${provider} from npm (CUDA ${CUDA_RUNTIME.cudaMajor} provider libraries, ~180 MB)`);
  run('npm', ['pack', provider, '--pack-destination', dir, '--silent'], dir);
  const tarball = fs.readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${provider} left no tarball in ${dir}`);
  const runtime = runtimeAt(dir);
  const members = CUDA_RUNTIME.providerFiles.map((f) => `${CUDA_RUNTIME.providerFolder}/${f}`);
  run('tar', ['-xzf', tarball, ...members], dir);
  for (const f of CUDA_RUNTIME.providerFiles) {
    fs.renameSync(path.join(dir, CUDA_RUNTIME.providerFolder, f), path.join(runtime.nativeDir, f));
  }
  fs.rmSync(path.join(dir, tarball));
  fs.rmSync(path.join(dir, 'package'), { recursive: true, force: true });
  const installed = installedCudaRuntime(cacheRoot);
  if (!installed)
    throw new Error(`the CUDA runtime in ${dir} is incomplete after installing; remove the folder and retry`);
  return installed;
}
