/**
 * Building the training-step session: merge, fold and differentiate the graph, then let onnxruntime
 * optimise it and write the optimized model into the on-disk cache. Built in this process, the graph's
 * protobuf copies and onnxruntime's optimiser leave gigabytes of freed-but-resident memory behind for a real
 * UNet (peak 13 GB at 512 px); built in a child process (`trainingStepBuildChild.ts`) that writes the cache
 * and exits, the trainer only ever opens the optimized file.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { createSession, type ModelSession, type ProviderChoice } from '../../onnx/sessions';
import type { FrozenModelSource } from '../../sd/model/frozenModel';
import { configOverridesSchema } from '../../sd/weights/configOverrides';
import {
  cachedOptimizedModel,
  OPTIMIZED_MODEL_FILE,
  publishStaged,
  stagingFolder,
} from './trainingStepCache';
import { buildTrainingStepGraph, type TrainingStepShape } from './trainingStepGraph';
import type { TrainableModel } from './trainableModel';

/**
 * Memory settings of the training-step session. With onnxruntime's memory pattern on, the second run
 * allocates a planned copy of every activation beside the arena chunks of the first, so resident memory
 * grows by the activations once more (measured: +204 MiB on the tiny model at 256 px, 443 → 647 MiB; on
 * SD 1.5 size at 512 px 12.8 → 18.7 GB) and the second step is slow. Off, memory stays flat from the first
 * step at the same speed. The arena stays on: without it a real-size step took twice as long (SD 1.5 at
 * 512 px without pre-packing: peak 8.79 GiB instead of 9.93, but steps of 76, 93, 124 s instead of 53–60).
 */
export const TRAINING_STEP_MEMORY = { memoryPattern: false, cpuArena: true } as const;

/**
 * Pre-packing is off for the training step: every consumer of a weight packs its own copy, and in the step
 * each weight has two (a MatMul and its input gradient's transB MatMul, a Conv and its ConvTranspose), so
 * packed copies would double the weights in memory again. Measured, SD 1.5 at 512 px: resident memory during
 * the steps 14.6 GB with pre-packing, 10.7 GB without (the weights stay file-mapped from the cached model),
 * 53–60 s a step on the loaded 2-core machine. A load-time setting, not part of the cached file.
 */
export const TRAINING_STEP_LOAD = { prepacking: false } as const;

/**
 * onnxruntime optimizers the training step is built without, because each kept a second copy of the
 * weights the backward pass shares with the forward pass: `NchwcTransformer` stores the forward Convs'
 * weights reordered while the input gradients' ConvTransposes read the originals, and `ConstantFolding`
 * stores Wᵀ for every MatMul's input gradient (unfolded, the Transpose fuses into MatMul as transB). With both
 * off SD 1.5's optimized model (512 px) is 3.93 GB instead of 7.59, the build's peak 11.0 GiB instead of 12.2,
 * with the same loss and gradient to float rounding (tiny model).
 */
export const TRAINING_STEP_OPTIMIZERS_OFF = ['NchwcTransformer', 'ConstantFolding'] as const;

/**
 * How the step graph is built (part of the cache key): attention probabilities softmax(q·kᵀ) are recomputed
 * in the backward pass instead of kept from the forward pass (server/onnx/autodiff/recompute.ts), and
 * attention over more than 2²⁴ probabilities (64 MiB; SD's 64×64 latent self-attention has 8·4096² = 2²⁷)
 * runs in chunks of queries (server/onnx/surgery/splitAttentionQueries.ts), so neither the forward nor the
 * backward pass holds a whole [heads, S, S] tensor.
 */
export const TRAINING_STEP_GRAPH = { recompute: 'attention', attentionChunkElements: 2 ** 24 } as const;

export const STEP_SESSION_LABEL = 'textual-inversion training step';

/**
 * Builds the graph and its session here; with `folder` the optimized model is written to a staging folder
 * and published there.
 */
export async function buildStepSessionInProcess(
  models: TrainableModel,
  shape: TrainingStepShape,
  provider: ProviderChoice,
  folder: string | undefined,
  record: Record<string, unknown> = {},
): Promise<ModelSession> {
  const started = performance.now();
  const model = await buildTrainingStepGraph(models, shape, TRAINING_STEP_GRAPH);
  const staging = folder ? stagingFolder(folder) : undefined;
  let session: ModelSession;
  try {
    session = await createSession(
      model,
      {
        provider,
        ...TRAINING_STEP_MEMORY,
        ...TRAINING_STEP_LOAD,
        disabledOptimizers: TRAINING_STEP_OPTIMIZERS_OFF,
        ...(staging ? { saveOptimizedModel: path.join(staging, OPTIMIZED_MODEL_FILE) } : {}),
      },
      STEP_SESSION_LABEL,
    );
  } catch (error) {
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (staging && folder) {
    const peakRssGiB = process.resourceUsage().maxRSS / 2 ** 20;
    publishStaged(staging, folder, { ...record, shape, builtMs: performance.now() - started, peakRssGiB });
  }
  return session;
}

/** What the parent tells the build child, as one JSON argument. */
export const stepBuildRequestSchema = z.object({
  source: z.object({
    path: z.string(),
    cacheDir: z.string().optional(),
    modelsDir: z.string().optional(),
    configs: configOverridesSchema.optional(),
    attention: z.enum(['standard', 'fused']).optional(),
  }),
  shape: z.object({
    batch: z.number().int().positive(),
    numVectors: z.number().int().positive(),
    latentHeight: z.number().int().positive(),
    latentWidth: z.number().int().positive(),
  }),
  provider: z.enum(['auto', 'cuda', 'cpu']),
  folder: z.string(),
  providers: z.array(z.string()),
});
export type StepBuildRequest = z.infer<typeof stepBuildRequestSchema>;

/** The last bytes of the child's stderr kept for the error message. */
const STDERR_TAIL = 4000;

/**
 * Builds the optimized training-step model of `source` in a child process and waits until it is
 * published in `folder`. Throws with the child's exit status and the end of its stderr when it fails.
 */
export async function buildStepModelInChild(
  source: FrozenModelSource,
  shape: TrainingStepShape,
  provider: ProviderChoice,
  folder: string,
  providers: readonly string[],
): Promise<string> {
  const request: StepBuildRequest = { source, shape, provider, folder, providers: [...providers] };
  const here = path.dirname(fileURLToPath(import.meta.url));
  const entry = path.join(here, 'trainingStepBuildChild.ts');
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, entry, JSON.stringify(request)], {
    stdio: ['ignore', 'inherit', 'pipe'],
    env: process.env,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve([c, s]));
  });
  const published = cachedOptimizedModel(folder);
  if (code === 0 && published) return published;
  const how = signal
    ? `was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory?)' : ''}`
    : code === 0
      ? `exited without publishing ${path.join(folder, OPTIMIZED_MODEL_FILE)}`
      : `exited with code ${code}`;
  throw new Error(
    `building the training-step session of ${source.path} in a child process ${how}; ` +
      `it needs the memory of one graph build (about 13 GB for SD 1.5 at 512 px) and write access to ${path.dirname(folder)}` +
      (stderr.trim() ? `\n  child stderr (end):\n${stderr.trim()}` : ''),
  );
}
