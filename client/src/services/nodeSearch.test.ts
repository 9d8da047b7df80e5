import { describe, expect, it } from 'vitest';
import { rankNodes, type SearchableNode } from './nodeSearch';

const node = (
  type: string,
  title: string,
  category: string,
  description: string,
  inputTypes: string[],
  outputTypes: string[],
) => ({
  type,
  title,
  category,
  description,
  inputTypes,
  outputTypes,
});
const nodes: SearchableNode[] = [
  node(
    'KSampler',
    'KSampler',
    'sampling',
    'Denoises a latent',
    ['MODEL', 'CONDITIONING', 'LATENT'],
    ['LATENT'],
  ),
  node('SaveImage', 'Save Image', 'image', 'Writes PNG files to output/', ['IMAGE'], []),
  node('PreviewImage', 'Preview Image', 'image', 'Shows images', ['IMAGE'], []),
  node('ImageInvert', 'Invert Image', 'image/transform', '', ['IMAGE'], ['IMAGE']),
  node(
    'TextualInversionTrainer',
    'Textual Inversion Trainer',
    'training',
    '',
    ['MODEL', 'CLIP', 'VAE', 'IMAGE'],
    ['EMBEDDING'],
  ),
];

describe('rankNodes', () => {
  it.each([
    ['save', ['SaveImage']],
    ['image', ['ImageInvert', 'PreviewImage', 'SaveImage']],
    ['sampler', ['KSampler']],
    ['inv img', []],
    ['inv image', ['ImageInvert']],
    ['training', ['TextualInversionTrainer']],
    ['png', ['SaveImage']],
    ['zzz', []],
  ])('query %j ranks %j', (query, expected) => {
    expect(rankNodes(nodes, query)).toEqual(expected);
  });

  it('lists everything by category then title for an empty query', () => {
    expect(rankNodes(nodes, '  ')).toEqual([
      'PreviewImage',
      'SaveImage',
      'ImageInvert',
      'KSampler',
      'TextualInversionTrainer',
    ]);
  });

  it('respects the limit', () => {
    expect(rankNodes(nodes, 'image', 2)).toEqual(['ImageInvert', 'PreviewImage']);
  });

  it.each([
    [{ input: 'IMAGE' }, '', ['PreviewImage', 'SaveImage', 'ImageInvert', 'TextualInversionTrainer']],
    [{ input: 'LATENT' }, '', ['KSampler']],
    [{ output: 'IMAGE' }, '', ['ImageInvert']],
    [{ input: 'IMAGE' }, 'save', ['SaveImage']],
    [{ output: 'MASK' }, '', []],
  ])('filter %j with query %j lists %j', (filter, query, expected) => {
    expect(rankNodes(nodes, query, 50, filter)).toEqual(expected);
  });
});
