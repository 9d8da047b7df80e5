/**
 * What `npm run gpu:check` needs and decides, as data: the CUDA execution provider it takes from the npm
 * registry (the onnxruntime-unity project's Linux GPU package, which ships the provider libraries of one
 * onnxruntime release), the onnxruntime-node release that matches it (a provider library loads only into the
 * onnxruntime it was built with), the system libraries that provider links or loads, and the decision from
 * what a probe of the machine found. Probing itself is in `gpuProbe.ts`; this file does no IO.
 */

/** The npm packages that make up the CUDA runtime, and what they need from the system. */
export const CUDA_RUNTIME = {
  /** Ships libonnxruntime_providers_cuda.so / _shared.so (Plugins/Linux/x64/). */
  providerPackage: 'com.github.asus4.onnxruntime.linux-x64-gpu',
  providerVersion: '0.4.9',
  providerFolder: 'package/Plugins/Linux/x64',
  providerFiles: ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'],
  /** The onnxruntime release those libraries were built for (README "Tested environment", the .so's version string). */
  onnxruntimeVersion: '1.29.0',
  cudaMajor: 13,
  /** CUDA 13 needs an R580 or newer driver. */
  minimumDriver: 580,
} as const;

/** A shared library the provider needs, and how to get it. */
export interface LibraryRequirement {
  readonly soname: string;
  readonly what: string;
  readonly install: string;
}

/** Linked (NEEDED) by the provider library, plus cuDNN 9, which it loads at run time. */
export const CUDA_LIBRARIES: readonly LibraryRequirement[] = [
  { soname: 'libcuda.so.1', what: 'the NVIDIA driver', install: 'the NVIDIA driver (R580 or newer)' },
  { soname: 'libcudart.so.13', what: 'CUDA 13 runtime', install: 'cuda-cudart-13-0 (CUDA 13 toolkit)' },
  { soname: 'libcublas.so.13', what: 'cuBLAS for CUDA 13', install: 'libcublas-13-0' },
  { soname: 'libcublasLt.so.13', what: 'cuBLASLt for CUDA 13', install: 'libcublas-13-0' },
  { soname: 'libcurand.so.10', what: 'cuRAND for CUDA 13', install: 'libcurand-13-0' },
  { soname: 'libcudnn.so.9', what: 'cuDNN 9 for CUDA 13', install: 'libcudnn9-cuda-13' },
];

/** What a probe of the machine found. */
export interface GpuProbe {
  readonly platform: string;
  readonly arch: string;
  /** Entries of /dev named nvidia* (nvidia0, nvidiactl, …). */
  readonly nvidiaDevices: readonly string[];
  /** `nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader`. */
  readonly nvidiaSmi: { readonly ok: boolean; readonly output: string };
  /** Where each required soname was found (undefined: nowhere). */
  readonly libraries: Readonly<Record<string, string | undefined>>;
  /** Folders the dynamic loader searches anyway (its cache's folders and LD_LIBRARY_PATH). */
  readonly loaderDirs: readonly string[];
}

/** A GPU nvidia-smi listed. */
export interface GpuInfo {
  readonly name: string;
  readonly driver: string;
  readonly memory: string;
}

export type GpuCheckPlan =
  | { readonly action: 'no-gpu'; readonly message: string }
  | { readonly action: 'missing'; readonly message: string; readonly missing: readonly string[] }
  | {
      readonly action: 'run';
      readonly message: string;
      readonly gpus: readonly GpuInfo[];
      /** Folders of libraries found outside the loader's cache, to add to LD_LIBRARY_PATH. */
      readonly libraryDirs: readonly string[];
    };

/** The rows of nvidia-smi's CSV output. */
export function parseNvidiaSmi(output: string): GpuInfo[] {
  return output
    .split('\n')
    .map((line) => line.split(',').map((f) => f.trim()))
    .filter((f) => f.length >= 3 && f[0])
    .map(([name, driver, memory]) => ({ name: name!, driver: driver!, memory: memory! }));
}

/** What gpu:check does on a machine that probed as `probe`. */
export function planGpuCheck(probe: GpuProbe): GpuCheckPlan {
  const gpus = probe.nvidiaSmi.ok ? parseNvidiaSmi(probe.nvidiaSmi.output) : [];
  if (probe.nvidiaDevices.length === 0 || gpus.length === 0) {
    const why = [
      probe.nvidiaDevices.length === 0 ? 'no /dev/nvidia* device' : undefined,
      probe.nvidiaSmi.ok ? (gpus.length ? undefined : 'nvidia-smi lists no GPU') : 'nvidia-smi did not run',
    ].filter(Boolean);
    return {
      action: 'no-gpu',
      message: `gpu:check: no NVIDIA GPU on this machine (${why.join(', ')}); the CUDA benchmark needs one, nothing to do. The CPU benchmark: npm run bench -- real-size`,
    };
  }
  const missing: string[] = [];
  if (probe.platform !== 'linux' || probe.arch !== 'x64') {
    missing.push(`the CUDA provider from npm is for Linux x64; this is ${probe.platform} ${probe.arch}`);
  }
  for (const gpu of gpus) {
    const major = Number.parseInt(gpu.driver, 10);
    if (!(major >= CUDA_RUNTIME.minimumDriver)) {
      missing.push(
        `driver ${gpu.driver} of ${gpu.name} is too old for CUDA ${CUDA_RUNTIME.cudaMajor}: install driver R${CUDA_RUNTIME.minimumDriver} or newer`,
      );
    }
  }
  for (const lib of CUDA_LIBRARIES) {
    if (!probe.libraries[lib.soname]) {
      missing.push(
        `${lib.soname} (${lib.what}) not found: install ${lib.install}, or add its folder to LD_LIBRARY_PATH`,
      );
    }
  }
  const gpuText = gpus.map((g) => `${g.name} (driver ${g.driver}, ${g.memory})`).join('; ');
  if (missing.length) {
    return {
      action: 'missing',
      missing,
      message: [
        `gpu:check: found ${gpuText}, but the CUDA provider cannot run yet:`,
        ...missing.map((m) => `  - ${m}`),
      ].join('\n'),
    };
  }
  const dirs = new Set<string>();
  for (const found of Object.values(probe.libraries)) {
    if (!found) continue;
    const dir = found.slice(0, found.lastIndexOf('/'));
    if (dir && !probe.loaderDirs.includes(dir)) dirs.add(dir);
  }
  return {
    action: 'run',
    gpus,
    libraryDirs: [...dirs],
    message: `gpu:check: ${gpuText}; CUDA ${CUDA_RUNTIME.cudaMajor} libraries found; onnxruntime ${CUDA_RUNTIME.onnxruntimeVersion} with the CUDA provider from npm (${CUDA_RUNTIME.providerPackage}@${CUDA_RUNTIME.providerVersion})`,
  };
}
