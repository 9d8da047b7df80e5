/**
 * `npm run gpu:check`: on a machine without an NVIDIA GPU it says so and exits 0. With one, it checks the
 * driver and the CUDA 13 / cuDNN 9 libraries the CUDA provider needs (naming each missing one and what to
 * install, exit 1), installs onnxruntime-node and the CUDA provider from the npm registry into a cache
 * folder, and runs the real-size benchmark on CUDA through them, printing its JSON; then, where python3 has
 * torch and diffusers, the PyTorch anchor of the same work on the same GPU (tests/bench/anchors/).
 *
 *   npm run gpu:check [-- --cache DIR]     (default models/cache/cuda-runtime)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CUDA_RUNTIME, planGpuCheck } from '../onnx/gpu/cudaRequirements';
import { ensureCudaRuntime } from '../onnx/gpu/cudaRuntime';
import { probeGpu } from '../onnx/gpu/gpuProbe';
import { writeFileAtomicSync } from '../storage/atomicWrite';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function cacheRoot(argv: readonly string[]): string {
  const i = argv.indexOf('--cache');
  if (i >= 0) {
    const dir = argv[i + 1];
    if (!dir) throw new Error('--cache needs a folder');
    return path.resolve(dir);
  }
  return path.join(repoRoot, 'models', 'cache', 'cuda-runtime');
}

function main(): number {
  const plan = planGpuCheck(probeGpu());
  console.log(plan.message);
  if (plan.action === 'no-gpu') return 0;
  if (plan.action === 'missing') return 1;

  const runtime = ensureCudaRuntime(cacheRoot(process.argv.slice(2)), (line) =>
    console.log(`gpu:check: ${line}`),
  );
  const libraryPath = [...plan.libraryDirs, process.env.LD_LIBRARY_PATH ?? ''].filter(Boolean).join(':');
  const provider = path.join(runtime.nativeDir, CUDA_RUNTIME.providerFiles[0]);
  const ldd = spawnSync('ldd', [provider], {
    encoding: 'utf8',
    env: { ...process.env, LD_LIBRARY_PATH: libraryPath },
  });
  const unresolved = ldd.stdout
    .split('\n')
    .filter((l) => l.includes('not found'))
    .map((l) => l.trim());
  if (unresolved.length) {
    console.log(
      `gpu:check: the CUDA provider cannot load; unresolved libraries:\n  ${unresolved.join('\n  ')}`,
    );
    return 1;
  }
  const hook = path.join(repoRoot, 'server', 'onnx', 'gpu', 'ortPackageHook.mjs');
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: libraryPath,
    STUDIO_ORT_NODE_DIR: runtime.ortNodeDir,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${hook}`.trim(),
    BENCH_PROVIDER: 'cuda',
  };
  console.log(
    `gpu:check: running the real-size benchmark on CUDA (onnxruntime ${CUDA_RUNTIME.onnxruntimeVersion})`,
  );
  const bench = spawnSync(
    path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
    [path.join(repoRoot, 'tests', 'bench', 'runBenchmarks.ts'), 'real-size'],
    { cwd: repoRoot, env, stdio: 'inherit' },
  );
  const result = path.join(repoRoot, 'bench-results', 'real-size.json');
  if (bench.status !== 0 || !fs.existsSync(result)) return bench.status ?? 1;
  const json = fs.readFileSync(result, 'utf8');
  process.stdout.write(json);
  runPytorchAnchor(JSON.parse(json) as RealSizeResult);
  return 0;
}

/** What runPytorchAnchor reads of the bench's JSON: the models it ran and each run's resolution. */
interface RealSizeResult {
  readonly models: Record<string, { readonly runs: readonly { readonly resolution: number }[] }>;
}

/**
 * The PyTorch anchor on the same GPU (tests/bench/anchors/pytorch_ti_step.py: the UNet's forward + backward
 * w.r.t. the text states, float32 and float16), for the models and resolutions the bench ran, when python3
 * with torch and diffusers is there; its JSON goes beside the bench's (real-size-pytorch.json).
 */
function runPytorchAnchor(bench: RealSizeResult): void {
  const probe = spawnSync('python3', ['-c', 'import torch, diffusers'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(
      'gpu:check: PyTorch anchor skipped: python3 with torch and diffusers not found ' +
        '(pip install torch diffusers to compare on this GPU)',
    );
    return;
  }
  const pairs = Object.entries(bench.models).flatMap(([model, { runs }]) =>
    runs.map((r) => `${model}:${r.resolution}`),
  );
  console.log(`gpu:check: PyTorch anchor (${pairs.join(' ')})`);
  const anchor = spawnSync(
    'python3',
    [path.join(repoRoot, 'tests', 'bench', 'anchors', 'pytorch_ti_step.py'), ...pairs],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  if (anchor.status !== 0) {
    console.log(`gpu:check: PyTorch anchor failed (exit ${anchor.status ?? anchor.signal})`);
    return;
  }
  writeFileAtomicSync(path.join(repoRoot, 'bench-results', 'real-size-pytorch.json'), anchor.stdout);
  process.stdout.write(anchor.stdout);
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`gpu:check: ${(error as Error).message}`);
  process.exitCode = 1;
}
