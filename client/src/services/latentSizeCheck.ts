/**
 * A queue-time check the server can only make at run time: an Empty Latent Image feeding a KSampler must
 * be a size the UNet can halve three times. Every SD 1.x / 2.x UNet (and the embedded tiny one) needs latent
 * sides in multiples of 8, i.e. images in multiples of 64 px; KSampler would fail on anything else after the
 * models have loaded, so the problem is shown on the Empty Latent Image node before queueing.
 */
import type { LGraph } from '@comfyorg/litegraph';
import type { NodeErrors } from '../api/wire';
import { MODE_ALWAYS } from '../canvas/nodeModes';

/** Pixels per latent cell (the VAE) times the UNet's latent multiple. */
const IMAGE_MULTIPLE = 64;
const SAMPLERS = new Set(['KSampler', 'KSamplerAdvanced']);

function problem(side: 'width' | 'height', value: number): string | undefined {
  const latent = Math.floor(value / 8);
  if (latent % (IMAGE_MULTIPLE / 8) === 0 && latent > 0) return undefined;
  const fix = Math.max(1, Math.round(value / IMAGE_MULTIPLE)) * IMAGE_MULTIPLE;
  return (
    `${side} ${value} gives a latent ${latent} wide, but the sampler's UNet needs multiples of ` +
    `${IMAGE_MULTIPLE / 8}: use a ${side} that is a multiple of ${IMAGE_MULTIPLE} (e.g. ${fix})`
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
