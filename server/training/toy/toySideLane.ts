/**
 * A second process that trains the side stages (VAE, decoder, scoring CLIP) while this one trains the text
 * CLIP and the UNet. The toy models' sessions are small, so onnxruntime gains little from a second thread
 * inside one session (a UNet step: 213 ms on one thread, 196 ms on two), while two processes on one thread
 * each get through ~1.6× the steps: two lanes are what fit the recipe in an hour on two cores. The child
 * saves each stage in the shared work folder as the sequential pipeline does and reports steps and stages
 * over IPC.
 */
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WeightStepReport } from '../weights/trainWeights';
import type { ToyStageRecipe } from './toyRecipe';
import { SIDE_STAGES, type SideStage, type StageEvent, type StageRecord } from './toyStageRunner';

/** What the parent sends the child (as its one argument, JSON). */
export interface SideLaneRequest {
  readonly workDir: string;
  readonly recipe: ToyStageRecipe;
  readonly threads?: number;
}

/** What the child reports. */
export type SideLaneMessage =
  | { readonly kind: 'step'; readonly stage: string; readonly report: WeightStepReport }
  | {
      readonly kind: 'stage';
      readonly name: SideStage;
      readonly event: StageEvent;
      readonly record: StageRecord;
    }
  | { readonly kind: 'end'; readonly interrupted: boolean };

/** A finished side stage as the child reported it; undefined when the lane was interrupted first. */
export type SideStageReport = { readonly event: StageEvent; readonly record: StageRecord } | undefined;

export interface SideLane {
  /** Resolves when the child has saved `name` (or stopped, interrupted, before it); rejects when it failed. */
  finished(name: SideStage): Promise<SideStageReport>;
  /** Waits for the child to exit; `kill` first stops it (SIGINT: it saves its checkpoint and exits). */
  close(kill?: boolean): Promise<void>;
}

const STDERR_TAIL = 4000;

interface Deferred {
  promise: Promise<SideStageReport>;
  resolve: (r: SideStageReport) => void;
  reject: (e: Error) => void;
}

function deferred(): Deferred {
  let resolve!: Deferred['resolve'];
  let reject!: Deferred['reject'];
  const promise = new Promise<SideStageReport>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // a lane that fails before anyone waits on a stage must not be an unhandled rejection
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Starts the side lane; `onStep` receives the child's step reports, `signal` interrupts it too. */
export function startSideLane(
  request: SideLaneRequest,
  hooks: { onStep?: (stage: string, report: WeightStepReport) => void; signal?: AbortSignal } = {},
): SideLane {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const entry = path.join(here, 'toySideLaneChild.ts');
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, entry, JSON.stringify(request)], {
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: process.env,
  });
  const pending = new Map<SideStage, Deferred>(SIDE_STAGES.map((s) => [s, deferred()]));
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  child.on('message', (raw) => {
    const message = raw as SideLaneMessage;
    if (message.kind === 'step') hooks.onStep?.(message.stage, message.report);
    else if (message.kind === 'stage') pending.get(message.name)?.resolve(message);
    else if (message.interrupted) for (const d of pending.values()) d.resolve(undefined);
  });
  const onAbort = () => child.kill('SIGINT');
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<void>((resolve) => {
    const fail = (how: string) => {
      const error = new Error(
        `the side lane (${SIDE_STAGES.join(', ')}; a second process) ${how}` +
          (stderr.trim() ? `\n  its stderr (end):\n${stderr.trim()}` : '') +
          '\n  run again to resume, or train in one process with --lanes 1',
      );
      for (const d of pending.values()) d.reject(error);
    };
    child.on('error', (e) => {
      fail(`could not start: ${e.message}`);
      resolve();
    });
    child.on('close', (code, signal) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      if (signal) fail(`was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory?)' : ''}`);
      else if (code !== 0) fail(`exited with code ${code}`);
      else fail('exited before finishing every stage');
      resolve();
    });
  });
  return {
    finished: (name) => pending.get(name)!.promise,
    close: async (kill = false) => {
      if (kill && child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
