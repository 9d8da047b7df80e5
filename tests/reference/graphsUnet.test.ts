/**
 * The UNet built by our builder from the dataset's `model/unet` reproduces golden.json: per-row timesteps,
 * a scalar timestep broadcast to the batch, and the textual-inversion training batch; dynamic batch size
 * and the fused-attention variant agree with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, ort, type ModelSession } from '../../server/onnx/sessions';
import { buildUNet, type UNetGraph } from '../../server/sd/graphs';
import { z } from 'zod';
import { maxDifference } from '../support/arrayCompare';
import { goldenArray, goldenValue } from '../support/referenceData';
import { datasetModel, expectGolden, floatTensor } from './graphsSupport';
import { measured } from '../support/measured';

const { unet: weights, configs } = datasetModel();
const config = configs.unet;

function feeds(sample: ort.Tensor, timestep: ort.Tensor, context: ort.Tensor): Record<string, ort.Tensor> {
  return { sample, timestep, encoder_hidden_states: context };
}

/** Leading-axis row `index` of a tensor, as a batch of one. */
function row(tensor: ort.Tensor, index: number): ort.Tensor {
  const size = tensor.size / tensor.dims[0]!;
  const data = (tensor.data as Float32Array).slice(index * size, (index + 1) * size);
  return new ort.Tensor('float32', data, [1, ...tensor.dims.slice(1)]);
}

describe('UNet graph (model/unet)', () => {
  const sample = floatTensor(goldenArray('unet.sample'));
  const timesteps = floatTensor(goldenArray('unet.timestep'));
  const context = floatTensor(goldenArray('unet.encoder_hidden_states'));
  let graph: UNetGraph;
  let unet: ModelSession;

  beforeAll(async () => {
    graph = await measured('unet build', () => buildUNet(config, weights));
    unet = await measured('unet session', () => createSession(graph.model, { provider: 'cpu' }, 'unet'));
  });
  afterAll(async () => {
    await unet?.release();
  });

  it('reads every weight of the checkpoint', () => {
    expect(graph.weightKeys).toEqual(weights.names());
  });

  it('reproduces out_sample for one timestep per batch row', async () => {
    expect(unet.inputNames).toEqual(['sample', 'timestep', 'encoder_hidden_states']);
    const out = await measured('unet call', () => unet.run(feeds(sample, timesteps, context)));
    expectGolden(out.out_sample, goldenArray('unet.out_sample'), 'out_sample');
  });

  it('broadcasts a scalar timestep to the batch (scalar_timestep_case)', async () => {
    const t = z.number().parse(goldenValue('unet.scalar_timestep_case.timestep'));
    const out = await unet.run(feeds(sample, new ort.Tensor('float32', Float32Array.of(t), []), context));
    expectGolden(
      out.out_sample,
      goldenArray('unet.scalar_timestep_case.out_sample'),
      'scalar timestep out_sample',
    );
  });

  it('reproduces model_pred of the textual-inversion batch (integer timesteps)', async () => {
    const steps = z.array(z.number()).parse(goldenValue('textual_inversion.timesteps'));
    const out = await unet.run(
      feeds(
        floatTensor(goldenArray('textual_inversion.noisy_latents')),
        new ort.Tensor('float32', Float32Array.from(steps), [steps.length]),
        floatTensor(goldenArray('textual_inversion.steps.0.encoder_hidden_states')),
      ),
    );
    expectGolden(out.out_sample, goldenArray('textual_inversion.steps.0.model_pred'), 'model_pred');
  });

  it('runs a batch of one (dynamic batch) with the same result as its row of the batch', async () => {
    const full = (await unet.run(feeds(sample, timesteps, context))).out_sample!;
    const single = (
      await unet.run(
        feeds(
          row(sample, 1),
          new ort.Tensor('float32', Float32Array.of((timesteps.data as Float32Array)[1]!), [1]),
          row(context, 1),
        ),
      )
    ).out_sample!;
    expect(single.dims).toEqual([1, ...full.dims.slice(1)]);
    expect(maxDifference(single.data as Float32Array, row(full, 1).data as Float32Array)).toBeLessThan(1e-5);
  });

  it('the fused-attention variant reproduces out_sample too', async () => {
    const fused = await createSession(
      buildUNet(config, weights, { attention: 'fused' }).model,
      { provider: 'cpu' },
      'unet_fused',
    );
    const out = await fused.run(feeds(sample, timesteps, context));
    expectGolden(out.out_sample, goldenArray('unet.out_sample'), 'fused out_sample');
    await fused.release();
  });
});
