import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../onnx/graphBuilder';
import { createSession, ort } from '../../onnx/sessions';
import { GaussianRng } from '../../diffusion/gaussianRng';
import { buildParameterGradientGraph, type ParameterGraph } from './parameterGradientGraph';
import { trainWeights } from './trainWeights';
import { WeightOptimizer } from './weightOptimizer';
import { loadWeightCheckpoint, restoreWeightCheckpoint, saveWeightCheckpoint } from './weightCheckpoint';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'train-weights-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** loss = mean((tanh(x·W1 + b1)·W2 − t)²): a two-layer regression with 4 weight tensors. */
function regressionModel() {
  const rng = new GaussianRng(3);
  const g = new GraphBuilder({ name: 'mlp' });
  const x = g.input('x', 'float32', [8, 3]);
  const t = g.input('t', 'float32', [8, 2]);
  const w1 = g.initializer('w1', { type: 'float32', dims: [3, 5], data: rng.normal(15).map((v) => v * 0.5) });
  const b1 = g.initializer('b1', { type: 'float32', dims: [5], data: new Float32Array(5) });
  const w2 = g.initializer('w2', { type: 'float32', dims: [5, 2], data: rng.normal(10).map((v) => v * 0.5) });
  const scale = g.initializer('not_a_weight', { type: 'float32', dims: [], data: Float32Array.of(1) });
  const h = g.op('Tanh', [g.op('Add', [g.op('MatMul', [x, w1]), b1])]);
  const d = g.op('Sub', [g.op('Mul', [g.op('MatMul', [h, w2]), scale]), t]);
  g.output(g.op('ReduceMean', [g.op('Mul', [d, d])], { keepdims: 0 }), 'float32', [], 'loss');
  return g.toModel();
}

/** Step k's batch: fixed inputs, targets from a fixed teacher. */
function batch(step: number): Record<string, ort.Tensor> {
  const rng = new GaussianRng(100 + step);
  const x = rng.normal(24);
  const t = new Float32Array(16);
  for (let i = 0; i < 8; i++) {
    t[i * 2] = Math.sin(x[i * 3]! + x[i * 3 + 1]!);
    t[i * 2 + 1] = x[i * 3 + 2]! * 0.5;
  }
  return { x: new ort.Tensor('float32', x, [8, 3]), t: new ort.Tensor('float32', t, [8, 2]) };
}

async function run(options: {
  steps: number;
  lr: number;
  file?: string;
  stopAt?: number;
  drawn?: number[];
  /** Time each batch takes to draw. */
  delayMs?: number;
}) {
  const graph: ParameterGraph = await buildParameterGradientGraph({
    model: regressionModel(),
    parameters: ['w1', 'b1', 'w2'],
    loss: 'loss',
    inputShapes: { x: [8, 3], t: [8, 2] },
  });
  const session = await createSession(graph.model, { provider: 'cpu', threads: 1 });
  const controller = new AbortController();
  const optimizer = new WeightOptimizer(graph.parameters, {
    schedule: { name: 'cosine', baseLr: options.lr, warmupSteps: 2, totalSteps: options.steps },
    maxGradNorm: 1,
  });
  try {
    const result = await trainWeights({
      graph,
      session,
      optimizer,
      batch: async (step) => {
        options.drawn?.push(step);
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
        return batch(step);
      },
      totalSteps: options.steps,
      checkpoint: options.file ? { file: options.file, every: 4, recipe: 'mlp-test' } : undefined,
      signal: controller.signal,
      onStep: (r) => {
        if (r.step === options.stopAt) controller.abort();
      },
    });
    return { result, parameters: graph.parameters };
  } finally {
    await session.release();
  }
}

describe('weight training', () => {
  it('learns: the loss of the last steps is well below the first, and lr 0 changes nothing', async () => {
    const { result, parameters } = await run({ steps: 150, lr: 0.1 });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(result.losses.slice(-10))).toBeLessThan(0.5 * mean(result.losses.slice(0, 10)));
    const frozen = await run({ steps: 5, lr: 0 });
    const initial = await buildParameterGradientGraph({
      model: regressionModel(),
      parameters: ['w1', 'b1', 'w2'],
      loss: 'loss',
      inputShapes: { x: [8, 3], t: [8, 2] },
    });
    for (const [name, p] of frozen.parameters)
      expect([...p.data]).toEqual([...initial.parameters.get(name)!.data]);
    expect(parameters.has('not_a_weight')).toBe(false);
  });

  it('an interrupted run resumed from its checkpoint ends with exactly the weights of an uninterrupted one', async () => {
    const straight = await run({ steps: 10, lr: 0.05 });
    const file = path.join(tmp, 'mlp.checkpoint.safetensors');
    const first = await run({ steps: 10, lr: 0.05, file, stopAt: 6 });
    expect(first.result.interrupted).toBe(true);
    expect(loadWeightCheckpoint(file, 'mlp-test').step).toBe(6);
    const drawn: number[] = [];
    const resumed = await run({ steps: 10, lr: 0.05, file, drawn });
    // each remaining step's batch is drawn once, in order (the next while the current one runs), none past the end
    expect(drawn).toEqual([6, 7, 8, 9]);
    expect(resumed.result.resumedFrom).toBe(6);
    expect(resumed.result.losses).toEqual(straight.result.losses);
    for (const [name, p] of straight.parameters)
      expect([...resumed.parameters.get(name)!.data]).toEqual([...p.data]);
    expect(() => loadWeightCheckpoint(file, 'another-recipe')).toThrow(
      /belongs to recipe "mlp-test", not "another-recipe".*delete it to start over/,
    );
  });

  it('keeps the seconds spent training across an interrupt and a resume', async () => {
    const file = path.join(tmp, 'timed.checkpoint.safetensors');
    const delayMs = 40;
    const first = await run({ steps: 10, lr: 0.05, file, stopAt: 6, delayMs });
    const saved = loadWeightCheckpoint(file, 'mlp-test');
    // six batches of 40 ms at least went into the first run, and its checkpoint says so
    expect(saved.seconds).toBeGreaterThanOrEqual((6 * delayMs) / 1000);
    expect(first.result.seconds).toBeCloseTo(saved.seconds!, 2);
    const resumed = await run({ steps: 10, lr: 0.05, file, delayMs });
    expect(resumed.result.seconds).toBeGreaterThanOrEqual(saved.seconds! + (4 * delayMs) / 1000);
    expect(loadWeightCheckpoint(file, 'mlp-test').seconds).toBeCloseTo(resumed.result.seconds!, 2);

    // a checkpoint written before times were kept: the total is unknown, not the resumed part alone
    const old = path.join(tmp, 'untimed.checkpoint.safetensors');
    await run({ steps: 10, lr: 0.05, file: old, stopAt: 4 });
    const graph = await buildParameterGradientGraph({
      model: regressionModel(),
      parameters: ['w1', 'b1', 'w2'],
      loss: 'loss',
      inputShapes: { x: [8, 3], t: [8, 2] },
    });
    const checkpoint = loadWeightCheckpoint(old, 'mlp-test');
    const optimizer = new WeightOptimizer(graph.parameters, {
      schedule: { name: 'cosine', baseLr: 0.05, warmupSteps: 2, totalSteps: 10 },
      maxGradNorm: 1,
    });
    restoreWeightCheckpoint(checkpoint, graph.parameters, optimizer);
    await saveWeightCheckpoint(old, 'mlp-test', graph.parameters, optimizer, checkpoint.losses);
    expect(loadWeightCheckpoint(old, 'mlp-test').seconds).toBeUndefined();
    const untimed = await run({ steps: 10, lr: 0.05, file: old });
    expect(untimed.result.step).toBe(10);
    expect(untimed.result.seconds).toBeUndefined();
  });
});
