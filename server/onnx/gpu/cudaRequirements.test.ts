import { describe, expect, it } from 'vitest';
import { CUDA_LIBRARIES, parseNvidiaSmi, planGpuCheck, type GpuProbe } from './cudaRequirements';

const allLibraries = Object.fromEntries(
  CUDA_LIBRARIES.map((l) => [l.soname, `/usr/lib/x86_64-linux-gnu/${l.soname}`]),
);
const H200 = 'NVIDIA H200, 580.65.06, 143771 MiB\n';

function probe(overrides: Partial<GpuProbe> = {}): GpuProbe {
  return {
    platform: 'linux',
    arch: 'x64',
    nvidiaDevices: ['nvidia0', 'nvidiactl', 'nvidia-uvm'],
    nvidiaSmi: { ok: true, output: H200 },
    libraries: allLibraries,
    loaderDirs: ['/usr/lib/x86_64-linux-gnu'],
    ...overrides,
  };
}

describe('planGpuCheck', () => {
  it.each([
    [
      'no device and no nvidia-smi',
      { nvidiaDevices: [], nvidiaSmi: { ok: false, output: 'spawnSync nvidia-smi ENOENT' } },
      'no /dev/nvidia* device, nvidia-smi did not run',
    ],
    [
      'device files but nvidia-smi fails',
      { nvidiaSmi: { ok: false, output: 'NVML: driver not loaded' } },
      'nvidia-smi did not run',
    ],
    ['nvidia-smi works but no device file', { nvidiaDevices: [] }, 'no /dev/nvidia* device'],
    ['nvidia-smi lists nothing', { nvidiaSmi: { ok: true, output: '\n' } }, 'nvidia-smi lists no GPU'],
  ])('%s: no GPU, saying why', (_, overrides, why) => {
    const plan = planGpuCheck(probe(overrides));
    expect(plan.action).toBe('no-gpu');
    expect(plan.message).toBe(
      `gpu:check: no NVIDIA GPU on this machine (${why}); the CUDA benchmark needs one, nothing to do. The CPU benchmark: npm run bench -- real-size`,
    );
  });

  it('names every missing library with what to install, and an old driver', () => {
    const plan = planGpuCheck(
      probe({
        nvidiaSmi: { ok: true, output: 'NVIDIA A100-SXM4-80GB, 535.104.05, 81920 MiB\n' },
        libraries: { ...allLibraries, 'libcudnn.so.9': undefined, 'libcublasLt.so.13': undefined },
      }),
    );
    expect(plan.action).toBe('missing');
    expect(plan.action === 'missing' && plan.missing).toEqual([
      'driver 535.104.05 of NVIDIA A100-SXM4-80GB is too old for CUDA 13: install driver R580 or newer',
      'libcublasLt.so.13 (cuBLASLt for CUDA 13) not found: install libcublas-13-0, or add its folder to LD_LIBRARY_PATH',
      'libcudnn.so.9 (cuDNN 9 for CUDA 13) not found: install libcudnn9-cuda-13, or add its folder to LD_LIBRARY_PATH',
    ]);
    expect(plan.message.split('\n')[0]).toBe(
      'gpu:check: found NVIDIA A100-SXM4-80GB (driver 535.104.05, 81920 MiB), but the CUDA provider cannot run yet:',
    );
  });

  it('refuses other platforms than Linux x64', () => {
    const plan = planGpuCheck(probe({ platform: 'win32' }));
    expect(plan.action === 'missing' && plan.missing).toEqual([
      'the CUDA provider from npm is for Linux x64; this is win32 x64',
    ]);
  });

  it('runs when everything is there, adding library folders the loader does not search', () => {
    const plan = planGpuCheck(
      probe({
        libraries: { ...allLibraries, 'libcudnn.so.9': '/opt/cudnn/lib/libcudnn.so.9' },
      }),
    );
    expect(plan.action).toBe('run');
    expect(plan.action === 'run' && plan.libraryDirs).toEqual(['/opt/cudnn/lib']);
    expect(plan.action === 'run' && plan.gpus).toEqual([
      { name: 'NVIDIA H200', driver: '580.65.06', memory: '143771 MiB' },
    ]);
  });
});

describe('parseNvidiaSmi', () => {
  it('reads one GPU per CSV line', () => {
    expect(parseNvidiaSmi(`${H200}NVIDIA L4, 590.10, 23034 MiB\n`)).toEqual([
      { name: 'NVIDIA H200', driver: '580.65.06', memory: '143771 MiB' },
      { name: 'NVIDIA L4', driver: '590.10', memory: '23034 MiB' },
    ]);
  });
});
