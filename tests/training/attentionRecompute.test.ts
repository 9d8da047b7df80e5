/**
 * The textual-inversion step graph as the trainer builds it (attention recomputed in the backward pass,
 * large attention in query chunks) against the plain graph that keeps the attention probabilities, on the
 * tiny SD 1.x model: same loss and placeholder gradient, and no backward node reads a forward Softmax output.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelProto } from '../../server/onnx/proto';
import { createSession, ort } from '../../server/onnx/sessions';
import {
  trainableModelFromFrozen,
  type TrainableModel,
} from '../../server/training/textualInversion/trainableModel';
import { TRAINING_STEP_GRAPH } from '../../server/training/textualInversion/trainingStepBuild';
import { buildTrainingStepGraph, STEP_IO } from '../../server/training/textualInversion/trainingStepGraph';
import { tinyModel } from './tinyTrainingSetup';

const SHAPE = { batch: 2, numVectors: 1, latentHeight: 8, latentWidth: 8 };

async function step(model: ModelProto, feeds: Record<string, ort.Tensor>) {
  const session = await createSession(model, { provider: 'cpu' }, 'step');
  const out = await session.run(feeds, [STEP_IO.loss, STEP_IO.grad]);
  await session.release();
  return {
    loss: (out[STEP_IO.loss]!.data as Float32Array)[0]!,
    grad: out[STEP_IO.grad]!.data as Float32Array,
  };
}

function stepFeeds(models: TrainableModel): Record<string, ort.Tensor> {
  const [hidden, sequence] = [models.tokenTable.dims[1], models.sequenceLength];
  const latent = 2 * 4 * 8 * 8;
  const wave = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f));
  const ids = new Int32Array(2 * sequence).fill(999);
  ids.set([998, 40, 1000, 41], 0);
  ids.set([998, 1000, 42], sequence);
  return {
    [STEP_IO.rows]: new ort.Tensor(
      'float32',
      wave(hidden, 0.37).map((v) => 0.02 * v),
      [1, hidden],
    ),
    [STEP_IO.placeholderIds]: new ort.Tensor('int32', Int32Array.from([1000]), [1]),
    [STEP_IO.inputIds]: new ort.Tensor('int32', ids, [2, sequence]),
    [STEP_IO.noisyLatents]: new ort.Tensor('float32', wave(latent, 0.11), [2, 4, 8, 8]),
    [STEP_IO.timesteps]: new ort.Tensor('float32', Float32Array.from([100, 400]), [2]),
    [STEP_IO.target]: new ort.Tensor('float32', wave(latent, 0.07), [2, 4, 8, 8]),
  };
}

const softmaxOf = (model: ModelProto, backward: boolean) =>
  (model.graph?.node ?? []).filter(
    (n) => n.opType === 'Softmax' && (n.name ?? '').startsWith('grad/') === backward,
  );
const backwardReads = (model: ModelProto, tensor: string) =>
  (model.graph?.node ?? []).filter((n) => n.name?.startsWith('grad/') && (n.input ?? []).includes(tensor));
const count = (model: ModelProto, op: string) =>
  (model.graph?.node ?? []).filter((n) => n.opType === op).length;

describe('attention recomputation in the training step', () => {
  let models: TrainableModel;
  let kept: ModelProto;
  let expected: Awaited<ReturnType<typeof step>>;
  beforeAll(async () => {
    models = trainableModelFromFrozen(await tinyModel('sd1'));
    kept = await buildTrainingStepGraph(models, SHAPE);
    expected = await step(kept, stepFeeds(models));
    expect(expected.loss).toBeGreaterThan(0.1);
    expect(Math.max(...expected.grad.map(Math.abs))).toBeGreaterThan(1e-6);
  });

  const expectSameStep = (actual: Awaited<ReturnType<typeof step>>) => {
    expect(actual.loss).toBeCloseTo(expected.loss, 6);
    const scale = Math.max(...expected.grad.map(Math.abs));
    expect(actual.grad.length).toBe(models.tokenTable.dims[1]);
    expected.grad.forEach((g, i) => expect(Math.abs(actual.grad[i]! - g)).toBeLessThan(1e-5 * scale));
  };

  it('recomputes every attention the backward pass reads, with the same loss and gradient', async () => {
    const recomputed = await buildTrainingStepGraph(models, SHAPE, { recompute: 'attention' });
    // the text encoder's and the UNet's attention (the UNet's first self-attention comes before any text
    // enters, so no gradient passes it: its probabilities are never read backward)
    const needed = softmaxOf(kept, false).filter((n) => backwardReads(kept, n.output?.[0] ?? '').length > 0);
    expect(needed.length).toBeGreaterThan(4);
    expect(needed.length).toBeLessThan(softmaxOf(kept, false).length);
    expect(softmaxOf(kept, true)).toEqual([]);
    const copies = softmaxOf(recomputed, true);
    expect(copies.map((n) => n.name).sort()).toEqual(needed.map((n) => `grad/recompute/${n.name}`).sort());
    for (const softmax of softmaxOf(recomputed, false))
      expect(backwardReads(recomputed, softmax.output?.[0] ?? '')).toEqual([]);
    expectSameStep(await step(recomputed, stepFeeds(models)));
  });

  it("the trainer's graph, with the UNet's attention in query chunks too, gives the same step", async () => {
    // the tiny UNet's self-attention over 8×8 latents has more than 1000 probabilities: split it
    const graph = await buildTrainingStepGraph(models, SHAPE, {
      ...TRAINING_STEP_GRAPH,
      attentionChunkElements: 1000,
    });
    expect(count(graph, 'Split')).toBeGreaterThan(0);
    expect(softmaxOf(graph, false).length).toBeGreaterThan(softmaxOf(kept, false).length);
    expect(softmaxOf(graph, true).length).toBeGreaterThan(4);
    for (const softmax of softmaxOf(graph, false))
      expect(backwardReads(graph, softmax.output?.[0] ?? '')).toEqual([]);
    expectSameStep(await step(graph, stepFeeds(models)));
  });
});
