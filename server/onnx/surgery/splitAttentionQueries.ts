/**
 * Attention in query chunks: softmax(q·k [+ mask])·v over all S queries at once holds the [.., S, T]
 * probabilities (and in a backward pass their gradient and its temporaries) whole; split into chunks of
 * queries, each chunk's probabilities exist only while that chunk is computed. The result is the same up to
 * rounding (each query's row of the softmax is computed alone either way).
 */
import { onnx, type IAttributeProto, type ITensorProto, type ModelProto, type NodeProto } from '../proto';
import { GraphFacts } from '../shapes/shapeInference';
import { SHAPE_RULES } from '../shapes/shapeRules';
import { defaultOpset, graphOf, withGraph } from './graphIndex';

export interface SplitAttentionOptions {
  /** Largest chunk of the probabilities, in elements; attention with fewer elements stays whole. */
  readonly chunkElements: number;
}

/** A Softmax over the keys of MatMul(q, k) (+ mask) whose only reader is MatMul(·, v). */
interface AttentionSite {
  readonly scores: NodeProto;
  readonly mask?: NodeProto;
  readonly softmax: NodeProto;
  readonly output: NodeProto;
  readonly queries: number;
  readonly elements: number;
}

const isStatic = (d: readonly unknown[] | undefined): d is readonly number[] =>
  !!d && d.every((x) => typeof x === 'number' && x > 0);

function attentionSites(nodes: readonly NodeProto[], facts: GraphFacts, opset: number): AttentionSite[] {
  const producers = new Map<string, NodeProto>();
  const readers = new Map<string, NodeProto[]>();
  for (const n of nodes) {
    n.output.forEach((o) => o && producers.set(o, n));
    for (const i of n.input) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
  }
  const only = (tensor: string): NodeProto | undefined => {
    const r = readers.get(tensor);
    return r?.length === 1 ? r[0] : undefined;
  };
  const sites: AttentionSite[] = [];
  for (const softmax of nodes) {
    if (softmax.opType !== 'Softmax' || (softmax.domain ?? '') !== '' || opset < 13) continue;
    const dims = facts.get(softmax.output[0] ?? '').dims;
    if (!isStatic(dims) || dims.length < 2) continue;
    const axis = softmax.attribute.find((a) => a.name === 'axis');
    const a = axis ? Number(axis.i) : -1;
    if (a !== -1 && a !== dims.length - 1) continue;
    const output = only(softmax.output[0] ?? '');
    if (output?.opType !== 'MatMul' || output.input[0] !== softmax.output[0]) continue;
    let source = producers.get(softmax.input[0] ?? '');
    let mask: NodeProto | undefined;
    if (source?.opType === 'Add' && only(source.output[0] ?? '') === softmax) {
      mask = source;
      source = source.input.map((t) => producers.get(t)).find((p) => p?.opType === 'MatMul');
      const maskInput = mask.input.find((t) => t !== source?.output[0]) ?? '';
      const maskDims = facts.get(maskInput).dims;
      // the mask must broadcast over queries (size 1 or absent on the query axis) or have all of them
      const q = maskDims ? maskDims[maskDims.length - 2] : undefined;
      if (!maskDims || (maskDims.length >= 2 && q !== 1 && q !== dims[dims.length - 2])) continue;
    }
    if (source?.opType !== 'MatMul' || only(source.output[0] ?? '') !== (mask ?? softmax)) continue;
    const qDims = facts.get(source.input[0] ?? '').dims;
    if (!qDims || qDims.length < 2 || qDims[qDims.length - 2] !== dims[dims.length - 2]) continue;
    const elements = dims.reduce((p, d) => p * d, 1);
    sites.push({ scores: source, mask, softmax, output, queries: dims[dims.length - 2]!, elements });
  }
  return sites;
}

/** Splits every attention whose probabilities exceed `chunkElements` into query chunks that do not. */
export function splitAttentionQueries(model: ModelProto, options: SplitAttentionOptions): ModelProto {
  const graph = graphOf(model);
  const opset = defaultOpset(model);
  const nodes = (graph.node ?? []) as NodeProto[];
  const facts = new GraphFacts(graph, opset, SHAPE_RULES);
  const sites = attentionSites(nodes, facts, opset).filter((s) => s.elements > options.chunkElements);
  if (sites.length === 0) return model;

  const used = new Set<string>([
    ...nodes.flatMap((n) => [...n.input, ...n.output, n.name ?? '']),
    ...(graph.initializer ?? []).map((t) => t.name ?? ''),
    ...(graph.input ?? []).map((v) => v.name ?? ''),
  ]);
  const fresh = (hint: string): string => {
    let name = hint;
    for (let k = 1; used.has(name); k++) name = `${hint}_${k}`;
    used.add(name);
    return name;
  };
  const initializers: ITensorProto[] = [];
  const node = (opType: string, input: string[], hint: string, attribute: IAttributeProto[] = []) => {
    const out = fresh(`${hint}_out`);
    return {
      out,
      node: onnx.NodeProto.create({ opType, name: fresh(hint), input, output: [out], attribute }),
    };
  };
  const intAttr = (name: string, i: number) => onnx.AttributeProto.create({ name, type: 2, i });

  const removed = new Set<NodeProto>();
  const replacement = new Map<NodeProto, NodeProto[]>();
  for (const site of sites) {
    const chunks = Math.ceil(site.elements / options.chunkElements);
    const base = Math.floor(site.queries / chunks);
    const sizes = Array.from({ length: chunks }, (_, i) => base + (i < site.queries % chunks ? 1 : 0));
    const prefix = `${site.softmax.name || 'attention'}/query_chunks`;
    const sizesName = fresh(`${prefix}/sizes`);
    initializers.push(
      onnx.TensorProto.create({
        name: sizesName,
        dataType: onnx.TensorProto.DataType.INT64,
        dims: [sizes.length],
        int64Data: sizes,
      }),
    );
    const emitted: NodeProto[] = [];
    const split = (tensor: string, rank: number): string[] => {
      const outs = sizes.map((_, i) => fresh(`${prefix}/${tensor}_${i}`));
      emitted.push(
        onnx.NodeProto.create({
          opType: 'Split',
          name: fresh(`${prefix}/Split`),
          input: [tensor, sizesName],
          output: outs,
          attribute: [intAttr('axis', rank - 2)],
        }),
      );
      return outs;
    };
    const [q, k] = [site.scores.input[0]!, site.scores.input[1]!];
    const qs = split(q, facts.get(q).dims!.length);
    const maskInput = site.mask?.input.find((t) => t !== site.scores.output[0]);
    const maskDims = maskInput ? facts.get(maskInput).dims : undefined;
    const masks =
      maskInput && maskDims && maskDims.length >= 2 && maskDims[maskDims.length - 2] !== 1
        ? split(maskInput, maskDims.length)
        : sizes.map(() => maskInput);
    const outputs = qs.map((qi, i) => {
      const scores = node('MatMul', [qi, k], `${prefix}/${i}/MatMul`);
      emitted.push(scores.node);
      let logits = scores.out;
      if (site.mask) {
        const inputs = site.mask.input.map((t) => (t === site.scores.output[0] ? scores.out : masks[i]!));
        const added = node('Add', inputs, `${prefix}/${i}/Add`);
        emitted.push(added.node);
        logits = added.out;
      }
      const p = node('Softmax', [logits], `${prefix}/${i}/Softmax`, [...site.softmax.attribute]);
      const o = node('MatMul', [p.out, site.output.input[1]!], `${prefix}/${i}/MatMul_v`);
      emitted.push(p.node, o.node);
      return o.out;
    });
    const rank = facts.get(site.output.output[0]!).dims?.length ?? 4;
    emitted.push(
      onnx.NodeProto.create({
        opType: 'Concat',
        name: fresh(`${prefix}/Concat`),
        input: outputs,
        output: [site.output.output[0]!],
        attribute: [intAttr('axis', rank - 2)],
      }),
    );
    for (const n of [site.scores, site.mask, site.softmax].filter((n): n is NodeProto => !!n)) removed.add(n);
    replacement.set(site.output, emitted);
  }
  const node2 = nodes.flatMap((n) => replacement.get(n) ?? (removed.has(n) ? [] : [n]));
  return withGraph(model, {
    ...graph,
    node: node2,
    initializer: [...(graph.initializer ?? []), ...initializers],
  });
}
