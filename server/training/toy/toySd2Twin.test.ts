/**
 * The SD 2.x twin of the toy model: its configs are SD 2.x's (as the loaders decide the family), its captions
 * pad as OpenCLIP's tokenizer does, and the SD 1.x UNet weights it starts from mean the same network once the
 * transformers' 1×1-Conv projections are stored as Linear weights.
 */
import { describe, expect, it } from 'vitest';
import { createSession, ort } from '../../onnx/sessions';
import { buildUNet } from '../../sd/graphs';
import { randomWeights } from '../../sd/tiny/randomWeights';
import { familyFromConfigs } from '../../sd/weights/modelFamily';
import { unetParameterShapes } from '../../sd/weights/parameterShapes';
import { linearProjections, STAGE_DEPENDENCIES, weightSource, type Weights } from './toyRecipe';
import { TOY_SD2_HEAD_CHANNELS, TOY_TEXT_WIDTH, toyModelConfigs } from './toyConfigs';
import { toyCaptionIds } from './worldBatches';

describe('the SD 2.x twin of the toy model', () => {
  it('has configs the loaders read as SD 2.x with v-prediction; the SD 1.x model stays SD 1.x', () => {
    const sd2 = toyModelConfigs(0.5, 'sd2');
    const sd1 = toyModelConfigs(0.5);
    expect(familyFromConfigs(sd2.textEncoder, sd2.unet).family).toBe('sd2');
    expect(familyFromConfigs(sd1.textEncoder, sd1.unet).family).toBe('sd1');
    expect([sd2.scheduler.prediction_type, sd1.scheduler.prediction_type]).toEqual([
      'v_prediction',
      'epsilon',
    ]);
    expect([sd2.unet.use_linear_projection, sd1.unet.use_linear_projection]).toEqual([true, false]);
    // a constant head width, as SD 2.x's 64
    const heads = sd2.unet.attention_head_dim as number[];
    expect(heads.map((h, i) => sd2.unet.block_out_channels[i]! / h)).toEqual(
      heads.map(() => TOY_SD2_HEAD_CHANNELS),
    );
    expect(STAGE_DEPENDENCIES.unet(0.5, 'text', 'sd2')).not.toBe(STAGE_DEPENDENCIES.unet(0.5, 'text'));
  });

  it('pads captions with "!" (id 0) where SD 1.x pads with EOS', () => {
    const { textEncoder } = toyModelConfigs(1, 'sd2');
    const sd2 = Array.from(toyCaptionIds(['a red shape'], 'sd2'));
    const sd1 = Array.from(toyCaptionIds(['a red shape']));
    const end = sd1.indexOf(textEncoder.eos_token_id);
    expect(sd2.slice(0, end + 1)).toEqual(sd1.slice(0, end + 1));
    expect(new Set(sd2.slice(end + 1))).toEqual(new Set([0]));
    expect(new Set(sd1.slice(end + 1))).toEqual(new Set([textEncoder.eos_token_id]));
  });

  it('SD 1.x UNet weights with linear projections give the same outputs as with 1×1 convolutions', async () => {
    const conv = toyModelConfigs(1).unet;
    const linear = { ...conv, use_linear_projection: true };
    const random = randomWeights('unet', unetParameterShapes(conv), 11);
    const weights: Weights = new Map(
      random.names().map((k) => [k, { data: random.read(k), dims: random.shape(k) }]),
    );
    const converted = linearProjections(weights);
    const projections = [...weights.keys()].filter((k) => /\.proj_(in|out)\.weight$/.test(k));
    expect(projections.length).toBeGreaterThan(0);
    for (const k of projections) {
      expect(weights.get(k)!.dims).toHaveLength(4);
      expect(converted.get(k)!.dims).toEqual(weights.get(k)!.dims.slice(0, 2));
      expect(converted.get(k)!.data).toBe(weights.get(k)!.data);
    }
    const side = 8;
    const width = TOY_TEXT_WIDTH;
    const feeds = {
      sample: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 2 * 4 * side * side }, (_, i) => Math.sin(i * 0.37)),
        [2, 4, side, side],
      ),
      timestep: new ort.Tensor('float32', Float32Array.of(250, 700), [2]),
      encoder_hidden_states: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 2 * 77 * width }, (_, i) => Math.cos(i * 0.11)),
        [2, 77, width],
      ),
    };
    const run = async (config: typeof conv, w: Weights) => {
      const session = await createSession(buildUNet(config, weightSource('unet', w)).model, {
        provider: 'cpu',
      });
      try {
        return (await session.run(feeds, ['out_sample'])).out_sample!.data as Float32Array;
      } finally {
        await session.release();
      }
    };
    const a = await run(conv, weights);
    const b = await run(linear, converted);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      scale = Math.max(scale, Math.abs(a[i]!));
    }
    expect(scale).toBeGreaterThan(0.01);
    expect(worst).toBeLessThan(1e-4 * scale);
  });
});
