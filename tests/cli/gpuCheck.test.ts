/**
 * `npm run gpu:check` on a machine without an NVIDIA GPU: the real script, with the probe pointed at an empty
 * device folder and a missing nvidia-smi, so the no-GPU path runs on any machine (GPU machines included).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');

describe('npm run gpu:check without a GPU', () => {
  it('says there is no NVIDIA GPU and exits 0, installing nothing', () => {
    const devDir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-gpu-dev-'));
    const cache = path.join(devDir, 'cache');
    const result = spawnSync(
      path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
      [path.join(repoRoot, 'server', 'cli', 'gpuCheck.ts'), '--cache', cache],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: {
          ...process.env,
          STUDIO_GPU_DEV_DIR: devDir,
          STUDIO_NVIDIA_SMI: path.join(devDir, 'nvidia-smi'),
        },
      },
    );
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(
      'gpu:check: no NVIDIA GPU on this machine (no /dev/nvidia* device, nvidia-smi did not run); the CUDA benchmark needs one, nothing to do. The CPU benchmark: npm run bench -- real-size',
    );
    expect(fs.existsSync(cache)).toBe(false);
  });
});
