/**
 * Autodiff cost on the reference UNet (CPU provider, golden batch): time(forward + backward) / time(forward)
 * and peak memory of the gradient model vs the forward model. The gradient model is `vjp(unet, of
 * out_sample, wrt encoder_hidden_states)` fed a cotangent for out_sample. Timing: one child process holds
 * both sessions and runs them interleaved after warm-up; medians are compared. Memory: one child process
 * per model; peak RSS (getrusage maxrss) minus RSS just before the session was created.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadModel, saveModel } from '../../server/onnx/modelIO';
import { GraphBuilder } from '../../server/onnx/graphBuilder';
import type { ModelProto } from '../../server/onnx/proto';
import { vjp } from '../../server/onnx/autodiff/vjp';
import { foldShapes, graphOf, inlineExternalData } from '../../server/onnx/surgery';
import { median, type BenchContext, type BenchResult, type Benchmark } from './benchmark';
import type { ProbeResult, ProbeSpec } from './sessionProbe';
import { datasetPath, goldenArray, type GoldenArray } from '../support/referenceData';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const THREADS = Number(process.env.BENCH_THREADS ?? Math.min(2, os.availableParallelism()));
const MEMORY_RUNS = 5;

function writeFeed(
  dir: string,
  name: string,
  data: Float32Array,
  dims: number[],
): ProbeSpec['models'][number]['feeds'][string] {
  const file = path.join(dir, `${name.replace(/[^\w]/g, '_')}.bin`);
  fs.writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return { type: 'float32', dims, file };
}

function probe(context: BenchContext, spec: ProbeSpec, tag: string): ProbeResult {
  const specFile = path.join(context.tmpDir, `probe-${tag}.json`);
  fs.writeFileSync(specFile, JSON.stringify(spec));
  const tsx = path.join(context.repoRoot, 'node_modules', '.bin', 'tsx');
  const child = spawnSync(tsx, [path.join(context.repoRoot, 'tests', 'bench', 'sessionProbe.ts'), specFile], {
    cwd: context.repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0)
    throw new Error(`session probe "${tag}" failed (exit ${child.status}):\n${child.stderr}`);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ProbeResult;
}

/** One line of an ORT profile summary: kernel time of one op type in the forward or backward part. */
interface OpTime {
  readonly op: string;
  readonly ms: number;
  readonly count: number;
}

/**
 * Sums ORT profile kernel times per op type, split into forward nodes and the backward nodes vjp emits
 * (their names start with "grad/"); largest first.
 */
function profileByOp(file: string): OpTime[] {
  const events = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    cat?: string;
    name?: string;
    dur?: number;
    args?: { op_name?: string };
  }[];
  const byOp = new Map<string, { ms: number; count: number }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.args?.op_name || e.dur === undefined || !e.name?.endsWith('_kernel_time'))
      continue;
    const key = `${e.name.startsWith('grad/') ? 'bwd' : 'fwd'} ${e.args.op_name}`;
    const entry = byOp.get(key) ?? { ms: 0, count: 0 };
    entry.ms += e.dur / 1000;
    entry.count += 1;
    byOp.set(key, entry);
  }
  return [...byOp].map(([op, v]) => ({ op, ...v })).sort((a, b) => b.ms - a.ms);
}

/** A one-node model: what an ORT session costs in memory before any real weights or activations. */
function emptyModel(dir: string): ProbeSpec['models'][number] {
  const g = new GraphBuilder({ name: 'empty' });
  g.output(g.op('Neg', [g.input('x', 'float32', [1])]), 'float32', [1], 'y');
  const file = path.join(dir, 'empty.onnx');
  saveModel(g.toModel(), file);
  return { label: 'empty', file, feeds: { x: writeFeed(dir, 'x', Float32Array.of(1), [1]) } };
}

function opCount(model: ModelProto): number {
  return (graphOf(model).node ?? []).length;
}

async function run(context: BenchContext): Promise<BenchResult> {
  const names = ['sample', 'timestep', 'encoder_hidden_states', 'out_sample'] as const;
  const u = Object.fromEntries(names.map((n) => [n, goldenArray(`unet.${n}`)])) as Record<
    (typeof names)[number],
    GoldenArray
  >;
  const unetFile = datasetPath('onnx', 'unet', 'model.onnx');
  const { model, baseDir } = loadModel(unetFile);
  const dir = context.tmpDir;

  context.log('building gradient models');
  let t = performance.now();
  const gradient = vjp(model, {
    of: ['out_sample'],
    wrt: ['encoder_hidden_states'],
    cotangentName: () => 'cotangent',
  });
  const vjpMs = performance.now() - t;
  const gradientFile = path.join(dir, 'unet_vjp.onnx');
  saveModel(gradient, gradientFile, { externalData: { location: 'unet_vjp.weights' }, sourceDir: baseDir });

  const shapes = {
    sample: u.sample.shape,
    timestep: u.timestep.shape,
    encoder_hidden_states: u.encoder_hidden_states.shape,
  };
  t = performance.now();
  const folded = await foldShapes(inlineExternalData(model, baseDir), shapes);
  const foldMs = performance.now() - t;
  const foldedFile = path.join(dir, 'unet_folded.onnx');
  saveModel(folded, foldedFile, { externalData: { location: 'unet_folded.weights' } });
  t = performance.now();
  const foldedGradient = vjp(folded, {
    of: ['out_sample'],
    wrt: ['encoder_hidden_states'],
    cotangentName: () => 'cotangent',
  });
  const foldedVjpMs = performance.now() - t;
  const foldedGradientFile = path.join(dir, 'unet_folded_vjp.onnx');
  saveModel(foldedGradient, foldedGradientFile, { externalData: { location: 'unet_folded_vjp.weights' } });

  const forwardFeeds = {
    sample: writeFeed(dir, 'sample', u.sample.data, u.sample.shape),
    timestep: writeFeed(dir, 'timestep', u.timestep.data, u.timestep.shape),
    encoder_hidden_states: writeFeed(dir, 'ehs', u.encoder_hidden_states.data, u.encoder_hidden_states.shape),
  };
  // any cotangent of out_sample's shape; the golden output itself has realistic magnitudes
  const gradientFeeds = {
    ...forwardFeeds,
    cotangent: writeFeed(dir, 'cotangent', u.out_sample.data, u.out_sample.shape),
  };
  const models = [
    { label: 'forward', file: unetFile, feeds: forwardFeeds },
    { label: 'gradient', file: gradientFile, feeds: gradientFeeds },
    { label: 'forward_folded', file: foldedFile, feeds: forwardFeeds },
    { label: 'gradient_folded', file: foldedGradientFile, feeds: gradientFeeds },
  ];
  const base = { warmup: WARMUP, runs: RUNS, threads: THREADS, optimization: 'all' as const };

  context.log(
    `timing ${models.length} models: ${WARMUP} warm-up + ${RUNS} interleaved runs, ${THREADS} threads`,
  );
  const timing = probe(context, { ...base, models }, 'timing');
  const ms = Object.fromEntries(timing.models.map((m) => [m.label, median(m.runMs)]));

  context.log('measuring peak memory, one process per model');
  const memory = Object.fromEntries(
    [...models, emptyModel(dir)].map((m) => {
      const r = probe(context, { ...base, warmup: 1, runs: MEMORY_RUNS, models: [m] }, `memory-${m.label}`);
      const only = r.models[0]!;
      return [
        m.label,
        {
          peakRssBytes: r.maxRssBytes,
          rssBeforeSessionBytes: only.rssBeforeBytes,
          deltaBytes: r.maxRssBytes - only.rssBeforeBytes,
        },
      ];
    }),
  );
  // ORT's fixed per-session cost (thread pools, allocators, kernel registry), seen with a one-node model
  const overhead = memory.empty!.deltaBytes;

  let profile: Record<string, OpTime[]> | undefined;
  if (process.env.BENCH_PROFILE) {
    context.log('profiling the gradient models with ORT');
    const prefix = path.join(dir, 'profile');
    probe(
      context,
      {
        ...base,
        warmup: 2,
        runs: 5,
        models: models.filter((m) => m.label.startsWith('gradient')),
        profilePrefix: prefix,
      },
      'profile',
    );
    profile = {};
    for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('profile-') && n.endsWith('.json'))) {
      profile[f.replace(/^profile-/, '').replace(/_\d.*$/, '')] = profileByOp(path.join(dir, f)).slice(0, 15);
    }
  }

  const ratio = ms.gradient! / ms.forward!;
  const ratioFolded = ms.gradient_folded! / ms.forward!;
  const memRatio = memory.gradient!.deltaBytes / memory.forward!.deltaBytes;
  const memRatioFolded = memory.gradient_folded!.deltaBytes / memory.forward!.deltaBytes;
  const memRatioNet = (memory.gradient!.deltaBytes - overhead) / (memory.forward!.deltaBytes - overhead);
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  return {
    summary: [
      `batch ${u.sample.shape[0]}, CPU, ${THREADS} threads, median of ${RUNS} runs after ${WARMUP} warm-up`,
      `forward (exported)       ${ms.forward!.toFixed(2)} ms, memory Δ ${mb(memory.forward!.deltaBytes)}, ${opCount(model)} nodes`,
      `forward (shapes folded)  ${ms.forward_folded!.toFixed(2)} ms, memory Δ ${mb(memory.forward_folded!.deltaBytes)}, ${opCount(folded)} nodes`,
      `fwd+bwd (vjp of export)  ${ms.gradient!.toFixed(2)} ms, memory Δ ${mb(memory.gradient!.deltaBytes)}, ${opCount(gradient)} nodes, built in ${vjpMs.toFixed(0)} ms`,
      `fwd+bwd (vjp of folded)  ${ms.gradient_folded!.toFixed(2)} ms, memory Δ ${mb(memory.gradient_folded!.deltaBytes)}, ${opCount(foldedGradient)} nodes, built in ${(foldMs + foldedVjpMs).toFixed(0)} ms`,
      `ratios vs exported forward: time ${ratio.toFixed(2)} (folded ${ratioFolded.toFixed(2)}), memory ${memRatio.toFixed(2)} (folded ${memRatioFolded.toFixed(2)})`,
      `memory net of ORT's fixed session cost (${mb(overhead)}, one-node model): gradient/forward ${memRatioNet.toFixed(2)}`,
      ...(profile
        ? Object.entries(profile).map(
            ([label, ops]) =>
              `profile ${label}: ${ops
                .slice(0, 8)
                .map((o) => `${o.op} ${o.ms.toFixed(1)}ms×${o.count}`)
                .join(', ')}`,
          )
        : []),
    ],
    targets: [
      { name: 'time(fwd+bwd)/time(fwd), vjp of the exported UNet', value: ratio, limit: 3 },
      { name: 'time(fwd+bwd)/time(fwd), vjp of the shape-folded UNet', value: ratioFolded, limit: 3 },
      { name: 'peak memory gradient/forward, exported', value: memRatio, limit: 3 },
      { name: 'peak memory gradient/forward, shape-folded', value: memRatioFolded, limit: 3 },
      {
        name: 'peak memory gradient/forward net of session overhead, exported',
        value: memRatioNet,
        limit: 3,
      },
    ],
    data: {
      method: {
        timing: 'one child process, both sessions loaded, interleaved runs after warm-up, median',
        memory:
          'one child process per model; peak RSS (getrusage maxrss) minus RSS before session creation; ' +
          'the net ratio also subtracts that delta for a one-node model (ORT fixed per-session cost)',
        threads: THREADS,
        warmup: WARMUP,
        runs: RUNS,
        graphOptimization: 'all',
      },
      shapes,
      medianMs: ms,
      runMs: Object.fromEntries(timing.models.map((m) => [m.label, m.runMs])),
      sessionCreateMs: Object.fromEntries(timing.models.map((m) => [m.label, m.createMs])),
      memory,
      ratios: {
        time: ratio,
        timeFolded: ratioFolded,
        memory: memRatio,
        memoryFolded: memRatioFolded,
        memoryNetOfSessionOverhead: memRatioNet,
      },
      build: { vjpMs, foldMs, foldedVjpMs },
      nodes: {
        forward: opCount(model),
        forwardFolded: opCount(folded),
        gradient: opCount(gradient),
        gradientFolded: opCount(foldedGradient),
      },
      ...(profile ? { profileTopOps: profile } : {}),
    },
  };
}

export const autodiffBenchmark: Benchmark = {
  name: 'autodiff',
  description:
    'UNet vjp w.r.t. encoder_hidden_states: time and peak-memory ratios vs the forward model (CPU)',
  run,
};
