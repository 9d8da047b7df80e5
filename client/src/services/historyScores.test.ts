import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../api/wire';
import { historyScores } from './historyScores';

/** A history entry of train-sample-score's shape: two prompts, each scored by CLIP Score and the oracle. */
function entry(): HistoryEntry {
  const prompt = {
    '10': { class_type: 'VAEDecode', inputs: {} },
    '12': {
      class_type: 'CLIPScore',
      inputs: { images: ['10', 0], prompt: 'a <my-shape>' },
      _meta: { title: 'CLIP Score' },
    },
    '13': { class_type: 'ShapesWorldOracle', inputs: { images: ['10', 0] }, _meta: { title: 'Oracle' } },
    '16': { class_type: 'VAEDecode', inputs: {} },
    '19': { class_type: 'ShapesWorldOracle', inputs: { images: ['16', 0] }, _meta: { title: 'Oracle' } },
    '18': {
      class_type: 'CLIPScore',
      inputs: { images: ['16', 0], prompt: ' a small <my-shape> ' },
      _meta: { title: 'CLIP Score' },
    },
    '30': {
      class_type: 'ShapesWorldOracle',
      inputs: { images: ['31', 0] },
      _meta: { title: 'Oracle alone' },
    },
  };
  return {
    prompt: [1, 'p1', prompt, {}, ['11', '12', '13', '18', '19', '30']],
    outputs: {
      '11': { images: [{ filename: 'a.png', subfolder: '', type: 'output' }] },
      '19': { shape_rate: [1], all_rate: [0.5], verdicts: ['…'] },
      '18': { clip_i: [0.75], clip_t: [0.25], files: [] },
      '13': { all_rate: [1] },
      '12': { clip_i: [0.8125], clip_t: [0.3125] },
      '30': { all_rate: [0] },
    },
    status: { status_str: 'success', completed: true, messages: [] },
  };
}

describe('historyScores', () => {
  it('gives one row per scored batch, labelled with its prompt, in node order', () => {
    expect(historyScores(entry())).toEqual([
      { node: '12', label: 'a <my-shape>', clipI: 0.8125, clipT: 0.3125, oracle: 1 },
      { node: '18', label: 'a small <my-shape>', clipI: 0.75, clipT: 0.25, oracle: 0.5 },
      { node: '30', label: 'Oracle alone', oracle: 0 },
    ]);
  });

  it('is empty for a prompt that scored nothing', () => {
    const plain = { ...entry(), outputs: { '11': { images: [] } } };
    expect(historyScores(plain)).toEqual([]);
  });
});
