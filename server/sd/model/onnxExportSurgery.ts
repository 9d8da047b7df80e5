/**
 * Graph surgery that turns diffusers' ONNX export into what the studio needs: a text encoder whose input is
 * token embeddings (the token-embedding Gather cut away, so placeholder rows can be fed), and a
 * deterministic VAE encoder that returns the moments instead of a random sample.
 */
import { dimsOf } from '../../onnx/tensorProto';
import { valueInfo } from '../../onnx/graphBuilder';
import { onnx, type ITensorProto, type ModelProto } from '../../onnx/proto';
import {
  graphOf,
  inferElementTypes,
  producerMap,
  removeDeadNodes,
  tensorToInput,
  withGraph,
} from '../../onnx/surgery';

/** The token-embedding lookup of a CLIP text encoder graph: its Gather output and table initializer. */
export interface TokenEmbeddingLookup {
  /** Output of the Gather (the per-token embeddings). */
  readonly output: string;
  readonly table: ITensorProto;
}

/**
 * Finds the token-embedding Gather: a Gather over a rank-2 initializer. The position embedding is one too,
 * so the table with the most rows (the vocabulary, 49408 vs 77 in SD) wins; a name containing
 * "token_embedding" wins outright.
 */
export function findTokenEmbedding(model: ModelProto): TokenEmbeddingLookup {
  const graph = graphOf(model);
  const tables = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  let best: TokenEmbeddingLookup | undefined;
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Gather') continue;
    const table = tables.get(node.input?.[0] ?? '');
    if (!table || dimsOf(table).length !== 2 || !node.output?.[0]) continue;
    const candidate = { output: node.output[0], table };
    if ((table.name ?? '').includes('token_embedding')) return candidate;
    if (!best || dimsOf(table)[0]! > dimsOf(best.table)[0]!) best = candidate;
  }
  if (!best) {
    throw new Error(
      'text encoder graph has no token-embedding Gather over a weight table; it is not a CLIP text encoder export',
    );
  }
  return best;
}

/** The position-embedding table's row count (the maximum sequence length), or undefined if not found. */
export function positionRows(model: ModelProto, tokenTable: ITensorProto): number | undefined {
  const graph = graphOf(model);
  const gathered = new Set((graph.node ?? []).filter((n) => n.opType === 'Gather').map((n) => n.input?.[0]));
  const rows = (graph.initializer ?? [])
    .filter((t) => t !== tokenTable && gathered.has(t.name ?? '') && dimsOf(t).length === 2)
    .map((t) => dimsOf(t)[0]!);
  return rows.length > 0 ? Math.min(...rows) : undefined;
}

/**
 * The text encoder with its token-embedding Gather cut: new input `inputs_embeds` [batch, sequence, hidden]
 * (element type of the table) replaces the looked-up rows; `input_ids` stays for pooling and shapes.
 */
export function cutTokenEmbedding(model: ModelProto): ModelProto {
  const { output, table } = findTokenEmbedding(model);
  const hidden = dimsOf(table)[1]!;
  const type = (table.dataType ?? 1) === 10 ? 'float16' : 'float32';
  return tensorToInput(model, output, { name: 'inputs_embeds', type, shape: ['batch', 'sequence', hidden] });
}

/**
 * The moments tensor of a diffusers VAE encoder export (quant_conv's output, mean then logvar channels):
 * the Conv reading `quant_conv.weight`, or, when names were lost, the tensor the final
 * `mean + std · noise` Add takes its mean from (through the Slice that selects the mean channels).
 */
export function findMoments(model: ModelProto): string {
  const graph = graphOf(model);
  const byName = (graph.node ?? []).find(
    (n) => n.opType === 'Conv' && (n.input ?? []).some((i) => i.endsWith('quant_conv.weight')),
  );
  if (byName?.output?.[0]) return byName.output[0];
  const producers = producerMap(graph);
  const finalAdd = producers.get(graph.output?.[0]?.name ?? '');
  for (const input of finalAdd?.opType === 'Add' ? (finalAdd.input ?? []) : []) {
    const slice = producers.get(input);
    if (slice?.opType === 'Slice' && slice.input?.[0]) return slice.input[0];
  }
  throw new Error(
    "cannot find the moments (quant_conv output) in the VAE encoder export; export vae_encoder with diffusers' script",
  );
}

/** The VAE encoder reduced to one deterministic output `moments` [B, 2·latent, h, w]. */
export function exposeMoments(model: ModelProto): ModelProto {
  const graph = graphOf(model);
  const moments = findMoments(model);
  const type = inferElementTypes(graph).get(moments) ?? 'float32';
  const identity = onnx.NodeProto.create({
    name: 'moments_output',
    opType: 'Identity',
    input: [moments],
    output: ['moments'],
  });
  const changed = withGraph(model, {
    node: [...(graph.node ?? []), identity],
    output: [valueInfo('moments', type)],
  });
  return removeDeadNodes(changed);
}

/** Whether the graph uses op `opType` (top-level nodes). */
export function usesOp(model: ModelProto, opType: string): boolean {
  return (graphOf(model).node ?? []).some((n) => n.opType === opType);
}
