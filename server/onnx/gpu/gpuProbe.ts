/**
 * Looks at the machine for `npm run gpu:check`: NVIDIA device files, nvidia-smi, and where the dynamic
 * loader (or the usual CUDA install folders) has each library the CUDA provider needs. The device folder and
 * the nvidia-smi command can be replaced (STUDIO_GPU_DEV_DIR, STUDIO_NVIDIA_SMI) so a test can run the
 * no-GPU path on any machine.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CUDA_LIBRARIES, type GpuProbe } from './cudaRequirements';

/** Folders where CUDA and cuDNN install outside the loader's cache. */
function cudaInstallDirs(): string[] {
  const dirs = ['/usr/local/cuda/lib64', '/usr/local/cuda/targets/x86_64-linux/lib'];
  try {
    for (const entry of fs.readdirSync('/usr/local')) {
      if (/^cuda-\d+/.test(entry)) dirs.push(path.join('/usr/local', entry, 'lib64'));
    }
  } catch {
    // no /usr/local: nothing more to search
  }
  return dirs;
}

/** soname → path from `ldconfig -p` (x86-64 entries). */
function loaderCache(): Map<string, string> {
  const found = new Map<string, string>();
  for (const command of ['ldconfig', '/sbin/ldconfig']) {
    const result = spawnSync(command, ['-p'], { encoding: 'utf8', timeout: 10_000 });
    if (result.status !== 0) continue;
    for (const line of result.stdout.split('\n')) {
      const m = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)/.exec(line);
      if (m && m[2]!.includes('x86-64') && !found.has(m[1]!)) found.set(m[1]!, m[3]!);
    }
    break;
  }
  return found;
}

/** Probes this machine. */
export function probeGpu(env: NodeJS.ProcessEnv = process.env): GpuProbe {
  const devDir = env.STUDIO_GPU_DEV_DIR ?? '/dev';
  let nvidiaDevices: string[] = [];
  try {
    nvidiaDevices = fs.readdirSync(devDir).filter((name) => name.startsWith('nvidia'));
  } catch {
    nvidiaDevices = [];
  }
  const smi = spawnSync(
    env.STUDIO_NVIDIA_SMI ?? 'nvidia-smi',
    ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  const cache = loaderCache();
  const ldPath = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const loaderDirs = [...new Set([...ldPath, ...[...cache.values()].map((p) => path.dirname(p))])];
  const searchDirs = [...ldPath, ...cudaInstallDirs()];
  const libraries: Record<string, string | undefined> = {};
  for (const { soname } of CUDA_LIBRARIES) {
    libraries[soname] =
      searchDirs.map((d) => path.join(d, soname)).find((f) => fs.existsSync(f)) ?? cache.get(soname);
  }
  return {
    platform: process.platform,
    arch: process.arch,
    nvidiaDevices,
    nvidiaSmi: {
      ok: smi.status === 0,
      output: smi.status === 0 ? smi.stdout : `${smi.error?.message ?? ''}${smi.stderr ?? ''}`.trim(),
    },
    libraries,
    loaderDirs,
  };
}
