import { describe, expect, it } from 'vitest';
import { outputImages, outputTextLines } from './nodeOverlays';

describe('outputTextLines', () => {
  it.each([
    [{ images: [{ filename: 'a.png', subfolder: '', type: 'output' }] }, []],
    [{ text: ['hello world'] }, ['hello world']],
    [{ text: ['a', 'b'] }, ['text: a', 'text: b']],
    [{ clip_i: [0.81234], clip_t: [0.2] }, ['clip_i: 0.812', 'clip_t: 0.2']],
    [{ scores: [{ clip_i: 0.5, clip_t: 0.25 }] }, ['clip_i: 0.5', 'clip_t: 0.25']],
    [{ loss: [0.9, 0.7, 0.6, 0.55] }, ['loss: 0.55 (last of 4)']],
    [
      { clip_i: [0.677], files: [{ filename: 'scores_00001_.json', subfolder: 'runs', type: 'output' }] },
      ['clip_i: 0.677', 'files: runs/scores_00001_.json'],
    ],
    [
      { saved: [{ filename: 'my-toy.safetensors', shape: [1, 32] }] },
      ['saved: my-toy.safetensors', 'shape: [1, 32]'],
    ],
    [
      {
        embeddings: [
          {
            filename: 'my-toy.safetensors',
            subfolder: '',
            type: 'embeddings',
            tokens: [{ token: '<my-toy>', num_vectors: 1, dim: 32 }],
          },
        ],
      },
      ['embeddings: my-toy.safetensors', 'tokens: <my-toy> (num_vectors 1, dim 32)'],
    ],
  ])('%j → %j', (output, lines) => {
    expect(outputTextLines(output)).toEqual(lines);
  });
});

describe('outputImages', () => {
  it('keeps only valid file references', () => {
    const good = { filename: 'x.png', subfolder: 'sub', type: 'temp' };
    expect(outputImages({ images: [good, { filename: 3 }, 'nope'] })).toEqual([good]);
    expect(outputImages(undefined)).toEqual([]);
  });
});
