import { describe, expect, it } from 'vitest';
import { parseWorkerArgs } from './workerArgs';

const base = ['--queue', 'redis://127.0.0.1:6379', '--server', 'http://127.0.0.1:8188/', '--models-dir', 'm'];

describe('parseWorkerArgs', () => {
  it('reads the flags and takes the secret from STUDIO_SECRET', () => {
    expect(
      parseWorkerArgs([...base, '--name=gpu1', '--lock-ms', '5000'], { STUDIO_SECRET: 'x'.repeat(16) }),
    ).toEqual({
      queue: 'redis://127.0.0.1:6379',
      server: 'http://127.0.0.1:8188',
      secret: 'x'.repeat(16),
      modelsDir: 'm',
      dataDir: 'worker-data',
      name: 'gpu1',
      executionProvider: 'auto',
      lockMs: 5000,
      uploadEveryMs: 1000,
      extraNodes: [],
    });
  });

  it.each([
    [base, 'refuses to run without one'],
    [[...base.slice(2), '--secret', 's'], '--queue is required'],
    [[...base, '--secret', 's', '--server', 'studio:8188'], 'expected http://HOST:PORT'],
    [[...base, '--secret', 's', '--lock-ms', '10'], '--lock-ms 10: expected an integer ≥ 1000'],
    [[...base, '--secret', 's', '--gpu', '1'], 'unknown flag --gpu'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseWorkerArgs(argv, {})).toThrow(message);
  });
});
