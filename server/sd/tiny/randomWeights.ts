/**
 * Deterministic random weights for a parameter table (name → shape): the same seed gives the same values on
 * every machine (Philox-based `GaussianRng`, tensors drawn in sorted name order). The initialisation follows
 * the libraries' spirit so activations stay O(1) through residual stacks: weights N(0, 1/fan_in), norm
 * scales 1 + 0.1·N, norm shifts 0.1·N, other biases 0.02·N, CLIP embedding tables 0.02·N (as transformers
 * does), and no parameter is exactly 0 or 1 (so a wiring mistake cannot hide).
 */
import { GaussianRng } from '../../diffusion/gaussianRng';
import type { ShapeTable } from '../weights/parameterShapes';
import { MemoryWeightSource, type MemoryTensor } from '../weights/weightSource';

const NORM =
  /(^|\.)(norm\w*|layer_norm\d?|group_norm|ln_\w+|final_layer_norm|pre_layrnorm|post_layernorm|conv_norm_out)\./;

/** Mean and standard deviation of parameter `name`'s initialisation (see the module comment). */
export function scaleFor(name: string, shape: readonly number[]): { mean: number; std: number } {
  if (name === 'logit_scale') return { mean: 2.6592, std: 0 };
  if (/(token|position)_embedding\.weight$/.test(name)) return { mean: 0, std: 0.02 };
  if (name.endsWith('class_embedding')) return { mean: 0, std: shape[0]! ** -0.5 };
  const isNorm = NORM.test(name) && shape.length === 1;
  if (isNorm) return name.endsWith('.weight') ? { mean: 1, std: 0.1 } : { mean: 0, std: 0.1 };
  if (shape.length === 1) return { mean: 0, std: 0.02 };
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  return { mean: 0, std: 1 / Math.sqrt(fanIn) };
}

/** Random weights for every entry of `shapes`, as an in-memory `WeightSource`. */
export function randomWeights(label: string, shapes: ShapeTable, seed: number): MemoryWeightSource {
  const rng = new GaussianRng(seed);
  const tensors = new Map<string, MemoryTensor>();
  for (const name of [...shapes.keys()].sort()) {
    const shape = shapes.get(name)!;
    const { mean, std } = scaleFor(name, shape);
    const data = rng.normal(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = mean + std * data[i]!;
    tensors.set(name, { shape, data });
  }
  return new MemoryWeightSource(label, tensors);
}
