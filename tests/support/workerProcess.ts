/** A queue-mode worker as its own process (`npm run worker`'s entry under tsx), with its output kept for asserts. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../server/config';

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnWorker(options: {
  name: string;
  queue: string;
  server: string;
  root: string;
  secret?: string;
  modelsDir?: string;
  lockMs?: number;
  /** Also load tests/support/queueTestNodes.ts (TestSleep). */
  testNodes?: boolean;
  extraArgs?: string[];
}): WorkerProcess {
  const args = [
    '--import',
    'tsx',
    path.join(repoRoot, 'server', 'workerMain.ts'),
    '--queue',
    options.queue,
    '--server',
    options.server,
    '--models-dir',
    options.modelsDir ?? path.join(options.root, `${options.name}-models`),
    '--data-dir',
    path.join(options.root, `${options.name}-data`),
    '--name',
    options.name,
    '--execution-provider',
    'cpu',
    '--lock-ms',
    String(options.lockMs ?? 30_000),
    ...(options.testNodes
      ? ['--extra-nodes', path.join(repoRoot, 'tests', 'support', 'queueTestNodes.ts')]
      : []),
    ...(options.extraArgs ?? []),
  ];
  const env = { ...process.env, STUDIO_SECRET: options.secret ?? '' };
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name: options.name,
    child,
    output: () => text,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
