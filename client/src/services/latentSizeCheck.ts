/**
 * A queue-time check the server can only make at run time: an Empty Latent Image feeding a KSampler must
 * be a size the UNet can halve down to its deepest block. The embedded toy model needs multiples of 32 px
 * (VAE ÷4, UNet ÷4), SD 1.x / 2.x multiples of 64 px (VAE ÷8, UNet ÷8); the client does not know which
 * model a sampler gets, so it refuses what no model can sample (not a multiple of 32) before queueing and
 * KSampler's run-time error covers the rest.
 */
import type { LGraph } from '@comfyorg/litegraph';
import type { NodeErrors } from '../api/wire';
import { MODE_ALWAYS } from '../canvas/nodeModes';

/** The smallest image multiple any shipped model samples (the toy model's). */
const IMAGE_MULTIPLE = 32;
const SAMPLERS = new Set(['KSampler', 'KSamplerAdvanced']);

function problem(side: 'width' | 'height', value: number): string | undefined {
  if (value > 0 && value % IMAGE_MULTIPLE === 0) return undefined;
  const fix = Math.max(1, Math.round(value / IMAGE_MULTIPLE)) * IMAGE_MULTIPLE;
  return (
    `${side} ${value} px cannot be sampled: the UNet needs multiples of ${IMAGE_MULTIPLE} px ` +
    `(64 px for SD 1.x/2.x): use a ${side} that is a multiple of ${IMAGE_MULTIPLE} (e.g. ${fix})`
  );
}

/** Errors, keyed by node id, for Empty Latent Image nodes whose size a KSampler they feed cannot sample. */
export function latentSizeProblems(graph: LGraph): NodeErrors {
  const errors: NodeErrors = {};
  for (const sampler of graph.nodes) {
    if (!SAMPLERS.has(sampler.type) || sampler.mode !== MODE_ALWAYS) continue;
    const slot = sampler.inputs?.findIndex((i) => i.name === 'latent_image') ?? -1;
    const source = slot >= 0 ? sampler.getInputNode(slot) : null;
    if (!source || source.type !== 'EmptyLatentImage' || source.mode !== MODE_ALWAYS) continue;
    const messages = (['width', 'height'] as const).flatMap((side) => {
      const value = source.widgets?.find((w) => w.name === side)?.value;
      const text = typeof value === 'number' ? problem(side, value) : undefined;
      return text ? [text] : [];
    });
    if (messages.length === 0) continue;
    errors[String(source.id)] = {
      class_type: source.type,
      dependent_outputs: [],
      errors: messages.map((message) => ({
        type: 'value_not_valid',
        message: 'Image size the sampler cannot use',
        details: message,
        extra_info: {},
      })),
    };
  }
  return errors;
}
