/**
 * The CLIP text encoder built by our builder from the dataset's `model/text_encoder` reproduces golden.json
 * with token ids as input, and with token embeddings gathered in JS (the textual-inversion path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, ort, type ModelSession } from '../../server/onnx/sessions';
import { buildTextEncoder, type TextEncoderGraph } from '../../server/sd/graphs';
import { maxDifference } from '../support/arrayCompare';
import { datasetName, goldenArray, goldenHas } from '../support/referenceData';
import { withSkipReason } from '../support/skipReason';
import { datasetModel, expectGolden, idsTensor } from './graphsSupport';
import { measured } from '../support/measured';

const { textEncoder: weights, configs } = datasetModel();
const config = configs.textEncoder;
const hidden = config.hidden_size;

/** Embedding rows of `ids` from a [rows, hidden] table, as the trainer gathers them. */
function gatherRows(table: Float32Array, ids: ArrayLike<number>, dims: readonly number[]): ort.Tensor {
  const out = new Float32Array(ids.length * hidden);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id < 0 || (id + 1) * hidden > table.length)
      throw new Error(`id ${id} has no row in a table of ${table.length / hidden} rows`);
    out.set(table.subarray(id * hidden, (id + 1) * hidden), i * hidden);
  }
  return new ort.Tensor('float32', out, [...dims, hidden]);
}

async function session(graph: TextEncoderGraph, label: string): Promise<ModelSession> {
  return createSession(graph.model, { provider: 'cpu' }, label);
}

describe('text encoder graph (model/text_encoder)', () => {
  const ids = goldenArray('text_encoder.input_ids');
  let byIds: ModelSession;
  let byEmbeddings: ModelSession;
  let embeddingsGraph: TextEncoderGraph;

  beforeAll(async () => {
    const idsGraph = await measured('text encoder build', () => buildTextEncoder(config, weights));
    expect(idsGraph.weightKeys, 'every weight is read').toEqual(weights.names());
    byIds = await measured('text encoder session', () => session(idsGraph, 'text_encoder'));
    embeddingsGraph = buildTextEncoder(config, weights, { input: 'embeddings' });
    byEmbeddings = await session(embeddingsGraph, 'text_encoder_embeds');
  });
  afterAll(async () => {
    await byIds?.release();
    await byEmbeddings?.release();
  });

  it('token ids (int32) give the golden last_hidden_state and pooler_output', async () => {
    expect(byIds.inputNames).toEqual(['input_ids']);
    const out = await byIds.run({ input_ids: idsTensor(ids) });
    expectGolden(out.last_hidden_state, goldenArray('text_encoder.last_hidden_state'), 'last_hidden_state');
    expectGolden(out.pooler_output, goldenArray('text_encoder.pooler_output'), 'pooler_output');
  });

  it('int64 token ids give the same outputs', async () => {
    const s = await session(buildTextEncoder(config, weights, { idsType: 'int64' }), 'text_encoder_i64');
    const out = await s.run({ input_ids: idsTensor(ids, 'int64') });
    expectGolden(out.last_hidden_state, goldenArray('text_encoder.last_hidden_state'), 'last_hidden_state');
    expectGolden(out.pooler_output, goldenArray('text_encoder.pooler_output'), 'pooler_output');
    await s.release();
  });

  it('token embeddings gathered in JS give the same golden outputs, with no table in the graph', async () => {
    const { tokenEmbedding } = embeddingsGraph;
    expect(tokenEmbedding.dims).toEqual([config.vocab_size, hidden]);
    expect((embeddingsGraph.model.graph?.initializer ?? []).some((t) => t.name === tokenEmbedding.key)).toBe(
      false,
    );
    expect(byEmbeddings.inputNames).toEqual(['input_ids', 'inputs_embeds']);
    const out = await byEmbeddings.run({
      input_ids: idsTensor(ids),
      inputs_embeds: gatherRows(tokenEmbedding.data, ids.data, ids.shape),
    });
    expectGolden(out.last_hidden_state, goldenArray('text_encoder.last_hidden_state'), 'last_hidden_state');
    expectGolden(out.pooler_output, goldenArray('text_encoder.pooler_output'), 'pooler_output');
  });

  it('placeholder rows appended to the table reproduce the textual-inversion conditioning', async () => {
    const tiIds = goldenArray('textual_inversion.input_ids');
    expect(Math.max(...tiIds.data)).toBeGreaterThanOrEqual(config.vocab_size);
    const hiddenOnly = await session(
      buildTextEncoder(config, weights, { input: 'embeddings', pooled: false }),
      'text_encoder_ti',
    );
    expect(hiddenOnly.inputNames).toEqual(['inputs_embeds']);
    const out = await hiddenOnly.run({
      inputs_embeds: gatherRows(tableWithPlaceholders(), tiIds.data, tiIds.shape),
    });
    expectGolden(
      out.last_hidden_state,
      goldenArray('textual_inversion.steps.0.encoder_hidden_states'),
      'encoder_hidden_states',
    );
    await hiddenOnly.release();
  });

  it('pools at the first EOS even when a placeholder id is larger than EOS', async () => {
    const tiIds = goldenArray('textual_inversion.input_ids');
    const eos = config.eos_token_id;
    expect(Math.max(...tiIds.data)).toBeGreaterThan(eos);
    const out = await byEmbeddings.run({
      input_ids: idsTensor(tiIds),
      inputs_embeds: gatherRows(tableWithPlaceholders(), tiIds.data, tiIds.shape),
    });
    const states = out.last_hidden_state!.data as Float32Array;
    const pooled = out.pooler_output!.data as Float32Array;
    const length = tiIds.shape[1]!;
    for (let row = 0; row < tiIds.shape[0]!; row++) {
      const rowIds = Array.from(tiIds.data.subarray(row * length, (row + 1) * length));
      const position = rowIds.indexOf(eos);
      expect(position, `row ${row} has an EOS`).toBeGreaterThan(0);
      const at = (row * length + position) * hidden;
      expect(Array.from(pooled.subarray(row * hidden, (row + 1) * hidden))).toEqual(
        Array.from(states.subarray(at, at + hidden)),
      );
    }
  });

  function tableWithPlaceholders(): Float32Array {
    const rows = goldenArray('textual_inversion.initial_placeholder_rows');
    const base = embeddingsGraph.tokenEmbedding.data;
    const table = new Float32Array(base.length + rows.data.length);
    table.set(base);
    table.set(rows.data, base.length);
    return table;
  }
});

describe.skipIf(!goldenHas('text_encoder.diagnostics'))(
  withSkipReason(
    'text encoder wrong turns (golden text_encoder.diagnostics)',
    goldenHas('text_encoder.diagnostics')
      ? undefined
      : `${datasetName}/golden.json records no text_encoder.diagnostics`,
  ),
  () => {
    it('our output is none of the diagnosed mistakes, and each mistake is reproducible by its option', async () => {
      const ids = goldenArray('text_encoder.input_ids');
      const right = await createSession(buildTextEncoder(config, weights).model, { provider: 'cpu' });
      const noFinalNorm = await createSession(
        buildTextEncoder(config, weights, { finalLayerNorm: false }).model,
        { provider: 'cpu' },
      );
      const ours = (await right.run({ input_ids: idsTensor(ids) })).last_hidden_state!;
      const unnormed = (await noFinalNorm.run({ input_ids: idsTensor(ids) })).last_hidden_state!;
      const eosPadded = (
        await right.run({
          input_ids: idsTensor(goldenArray('text_encoder.diagnostics.eos_padded_input_ids')),
        })
      ).last_hidden_state!;

      const diagnostics = [
        'all_layers_last_hidden_state',
        'penultimate_without_final_layer_norm',
        'eos_padded_last_hidden_state',
      ];
      for (const name of diagnostics) {
        const wrong = goldenArray(`text_encoder.diagnostics.${name}`);
        expect(
          maxDifference(ours.data as Float32Array, wrong.data),
          `${name} differs from our output`,
        ).toBeGreaterThan(1e-2);
      }
      expectGolden(
        unnormed,
        goldenArray('text_encoder.diagnostics.penultimate_without_final_layer_norm'),
        'finalLayerNorm: false',
      );
      expectGolden(
        eosPadded,
        goldenArray('text_encoder.diagnostics.eos_padded_last_hidden_state'),
        'EOS-padded ids',
      );
      await right.release();
      await noFinalNorm.release();
    });
  },
);
