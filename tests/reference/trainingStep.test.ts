/**
 * Reference test of one textual-inversion training step built purely from the dataset's ONNX exports:
 * text encoder (cut at its token-embedding lookup) → UNet → MSE, differentiated by our autodiff w.r.t. the
 * placeholder embedding rows, against golden.json → textual_inversion.steps[*] (loss and gradient).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../server/onnx/graphBuilder';
import { loadModel } from '../../server/onnx/modelIO';
import type { ModelProto } from '../../server/onnx/proto';
import { createSession, ort, type ModelSession } from '../../server/onnx/sessions';
import { readTensor } from '../../server/onnx/tensorProto';
import {
  consumerMap,
  constantNodesToInitializers,
  exposeTensors,
  extendModel,
  foldShapes,
  graphOf,
  inlineExternalData,
  mergeModels,
  removeDeadNodes,
  renameTensors,
  tensorToInput,
} from '../../server/onnx/surgery';
import { vjp } from '../../server/onnx/autodiff/vjp';
import { datasetName, datasetPath, goldenValue, toArray } from '../support/referenceData';

/** A golden.json array node (decoded with `toArray`). */
interface GoldenNode {
  readonly shape: number[];
}
interface GoldenStep {
  readonly loss: number;
  readonly model_pred: GoldenNode;
  readonly grad_placeholder_rows: GoldenNode;
  readonly placeholder_rows_after_step: GoldenNode;
}
interface TextualInversionGolden {
  readonly placeholder_ids: number[];
  readonly initial_placeholder_rows: GoldenNode;
  readonly input_ids: GoldenNode;
  readonly noise: GoldenNode;
  /** the MSE target where the dataset records it (v-prediction sets); epsilon sets train against `noise` */
  readonly target?: GoldenNode;
  readonly timesteps: number[];
  readonly noisy_latents: GoldenNode;
  readonly steps: GoldenStep[];
}

const floats = (node: GoldenNode): Float32Array => toArray(node).data;

const ti = goldenValue('textual_inversion') as TextualInversionGolden;
const [batch, sequence] = ti.input_ids.shape as [number, number];
const ids = floats(ti.input_ids);

/** The Gather that looks token ids up in a [vocab, hidden] initializer, found by following `input_ids`. */
function tokenEmbeddingGather(model: ModelProto): { output: string; table: string } {
  const graph = graphOf(model);
  const consumers = consumerMap(graph);
  const initializers = new Set(
    (graph.initializer ?? []).filter((t) => (t.dims ?? []).length === 2).map((t) => t.name ?? ''),
  );
  const fromIds = new Set<string>(['input_ids']);
  const queue = ['input_ids'];
  while (queue.length) {
    for (const node of consumers.get(queue.pop()!) ?? []) {
      const [data, indices] = node.input ?? [];
      if (node.opType === 'Gather' && initializers.has(data ?? '') && fromIds.has(indices ?? '')) {
        return { output: node.output![0]!, table: data! };
      }
      if (['Shape', 'Size'].includes(node.opType ?? '')) continue;
      for (const o of node.output ?? []) {
        if (!fromIds.has(o)) {
          fromIds.add(o);
          queue.push(o);
        }
      }
    }
  }
  throw new Error('text encoder has no Gather of input_ids into an embedding table');
}

/**
 * token_embeddings = base + selector · placeholder_rows, reshaped to [batch, sequence, hidden]: `base` holds the
 * exported table's rows for ordinary ids (zeros at placeholder positions), `selector` is one-hot per placeholder.
 */
function embeddingModel(table: Float32Array, hidden: number, placeholderIds: readonly number[]): ModelProto {
  const g = new GraphBuilder({ name: 'token_embeddings', opset: 14 });
  const rows = g.input('placeholder_rows', 'float32', [placeholderIds.length, hidden]);
  const base = new Float32Array(batch * sequence * hidden);
  const selector = new Float32Array(batch * sequence * placeholderIds.length);
  ids.forEach((id, p) => {
    const slot = placeholderIds.indexOf(id);
    if (slot >= 0) selector[p * placeholderIds.length + slot] = 1;
    else base.set(table.subarray(id * hidden, (id + 1) * hidden), p * hidden);
  });
  const flat = g.op('Add', [
    g.constant(base, [batch * sequence, hidden], 'float32', 'base_embeddings'),
    g.op('MatMul', [
      g.constant(selector, [batch * sequence, placeholderIds.length], 'float32', 'placeholder_selector'),
      rows,
    ]),
  ]);
  g.output(
    g.op('Reshape', [flat, g.ints([batch, sequence, hidden])]),
    'float32',
    [batch, sequence, hidden],
    'token_embeddings',
  );
  return g.toModel();
}

/** Inputs: placeholder_rows, noisy_latents, timesteps, noise; outputs: loss (+ model_pred for checking). */
async function trainingStepModel(): Promise<{ model: ModelProto; hidden: number }> {
  const te = loadModel(datasetPath('onnx', 'text_encoder', 'model.onnx'));
  const unetFile = loadModel(datasetPath('onnx', 'unet', 'model.onnx'));
  const { output, table } = tokenEmbeddingGather(te.model);
  const tableValue = readTensor(
    graphOf(te.model).initializer!.find((t) => t.name === table)!,
    te.baseDir,
  );
  const hidden = tableValue.dims[1]!;
  const encoder = tensorToInput(te.model, output, {
    name: 'token_embeddings',
    type: 'float32',
    shape: [batch, sequence, hidden],
  });
  const embeddings = embeddingModel(tableValue.data as Float32Array, hidden, ti.placeholder_ids);
  const conditioned = mergeModels(embeddings, encoder, {
    connect: { token_embeddings: 'token_embeddings' },
    secondPrefix: 'te/',
  });
  const unet = inlineExternalData(unetFile.model, unetFile.baseDir);
  const joined = mergeModels(conditioned, unet, {
    connect: { encoder_hidden_states: 'te/last_hidden_state' },
    secondPrefix: 'unet/',
  });
  const withLoss = extendModel(joined, (g) => {
    const target = g.input('noise', 'float32', ti.noise.shape);
    const diff = g.op('Sub', ['unet/out_sample', target]);
    g.output(g.op('ReduceMean', [g.op('Mul', [diff, diff])], { keepdims: 0 }), 'float32', [], 'loss');
  });
  const named = renameTensors(withLoss, { 'unet/sample': 'noisy_latents', 'unet/timestep': 'timesteps' });
  const folded = await foldShapes(constantNodesToInitializers(named), {
    placeholder_rows: [ti.placeholder_ids.length, hidden],
    'te/input_ids': ti.input_ids.shape,
    noisy_latents: ti.noisy_latents.shape,
    timesteps: [batch],
    noise: ti.noise.shape,
  });
  return { model: removeDeadNodes(folded, { pruneInputs: true }), hidden };
}

function feeds(rows: Float32Array, hidden: number): Record<string, ort.Tensor> {
  return {
    placeholder_rows: new ort.Tensor('float32', rows, [ti.placeholder_ids.length, hidden]),
    noisy_latents: new ort.Tensor('float32', floats(ti.noisy_latents), ti.noisy_latents.shape),
    timesteps: new ort.Tensor('float32', Float32Array.from(ti.timesteps), [batch]),
    noise: new ort.Tensor('float32', floats(ti.target ?? ti.noise), ti.noise.shape),
  };
}

function rowsBefore(step: number): Float32Array {
  return floats(step === 0 ? ti.initial_placeholder_rows : ti.steps[step - 1]!.placeholder_rows_after_step);
}

describe(`textual-inversion training step from the ONNX exports (${datasetName})`, () => {
  let step: { model: ModelProto; hidden: number };
  let forward: ModelSession;
  let gradient: ModelSession;

  beforeAll(async () => {
    step = await trainingStepModel();
    forward = await createSession(
      exposeTensors(step.model, ['unet/out_sample']),
      { provider: 'cpu' },
      'training step',
    );
    const grads = vjp(step.model, { of: ['loss'], wrt: ['placeholder_rows'], seedScalarLoss: true });
    gradient = await createSession(grads, { provider: 'cpu' }, 'training step gradient');
  });

  it('is one graph with exactly the training inputs and no pooled-output branch', () => {
    const graph = graphOf(step.model);
    expect((graph.input ?? []).map((v) => v.name).sort()).toEqual([
      'noise',
      'noisy_latents',
      'placeholder_rows',
      'timesteps',
    ]);
    expect((graph.output ?? []).map((v) => v.name)).toEqual(['loss']);
    const ops = new Set((graph.node ?? []).map((n) => n.opType));
    expect(ops.has('ArgMax')).toBe(false);
    expect(ops.has('Shape')).toBe(false);
  });

  it.each(ti.steps.map((s, k) => [k, s] as const))(
    'step %i: forward reproduces model_pred and loss',
    async (k, expected) => {
      const out = await forward.run(feeds(rowsBefore(k), step.hidden));
      const pred = out['unet/out_sample']!.data as Float32Array;
      const goldenPred = floats(expected.model_pred);
      expect(pred.length).toBe(goldenPred.length);
      goldenPred.forEach((v, i) =>
        expect(Math.abs(pred[i]! - v)).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(v)),
      );
      const loss = (out.loss!.data as Float32Array)[0]!;
      expect(Math.abs(loss - expected.loss)).toBeLessThanOrEqual(1e-4 * Math.abs(expected.loss));
    },
  );

  it.each(ti.steps.map((s, k) => [k, s] as const))(
    'step %i: gradient w.r.t. the placeholder rows matches',
    async (k, expected) => {
      const out = await gradient.run(feeds(rowsBefore(k), step.hidden));
      const loss = (out.loss!.data as Float32Array)[0]!;
      expect(Math.abs(loss - expected.loss)).toBeLessThanOrEqual(1e-4 * Math.abs(expected.loss));
      const grad = out.grad_placeholder_rows!;
      expect(grad.dims).toEqual(expected.grad_placeholder_rows.shape);
      const want = floats(expected.grad_placeholder_rows);
      const scale = Math.max(...want.map(Math.abs));
      const got = grad.data as Float32Array;
      want.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-3 * scale));
    },
  );
});
