/**
 * A small static inference of element types, symbolic dims and the values of small integer tensors
 * (shape arithmetic such as Shape → Gather → Concat → Reshape) for the ops in our graphs. Autodiff uses it
 * to reduce broadcasts and reshape gradients with constants instead of run-time Shape ops. It never
 * throws: what it cannot work out is simply unknown, and callers fall back to run-time shapes.
 */
import { int64ToNumber, type GraphProto, type ITensorProto, type NodeProto } from '../proto';
import { elementTypeOf, type ElementType } from '../dataTypes';
import { dimsOf, elementCount, isExternal, readTensor, type TensorValue } from '../tensorProto';
import { attrInt, attrInts } from '../attributes';
import { namedDim, unknownDim, type SymDim } from './symbolicDims';
import { constantNodeValue, toNumbers } from './constantValues';
import type { ShapeContext, ShapeRuleTable, TensorFacts } from './shapeTypes';

const MAX_VALUE_LENGTH = 64;

/** Facts about every tensor of a graph plus its constants. */
export class GraphFacts {
  readonly facts = new Map<string, TensorFacts>();
  readonly constants = new Map<string, TensorValue>();

  constructor(
    readonly graph: GraphProto,
    readonly opset: number,
    /** The per-op rules, e.g. SHAPE_RULES (shapeRules.ts); ops without a rule get unknown outputs. */
    private readonly rules: ShapeRuleTable,
    inputShapes: Readonly<Record<string, readonly SymDim[]>> = {},
  ) {
    for (const t of graph.initializer ?? []) this.addInitializer(t);
    for (const v of graph.input ?? []) {
      const name = v.name ?? '';
      if (this.facts.has(name) && !inputShapes[name]) continue;
      const tt = v.type?.tensorType;
      const type = tt?.elemType ? safeType(tt.elemType) : undefined;
      const pinned = inputShapes[name];
      const dims = pinned
        ? [...pinned]
        : tt?.shape
          ? (tt.shape.dim ?? []).map((d) =>
              d.dimValue !== undefined && d.dimValue !== null && int64ToNumber(d.dimValue) > 0
                ? int64ToNumber(d.dimValue)
                : d.dimParam
                  ? namedDim(d.dimParam)
                  : unknownDim(),
            )
          : undefined;
      this.facts.set(name, { type, dims });
    }
    const hints = new Map((graph.valueInfo ?? []).map((v) => [v.name ?? '', v]));
    for (const node of graph.node ?? []) this.inferNode(node as NodeProto, hints);
  }

  get(name: string): TensorFacts {
    return this.facts.get(name) ?? {};
  }

  private addInitializer(t: ITensorProto): void {
    const type = safeType(t.dataType ?? 0);
    const dims = dimsOf(t);
    let value: SymDim[] | undefined;
    if (!isExternal(t) && elementCount(dims) <= MAX_VALUE_LENGTH && type) {
      try {
        const v = readTensor(t);
        this.constants.set(t.name ?? '', v);
        if (type === 'int64' || type === 'int32') value = toNumbers(v);
      } catch {
        // unreadable constants just stay unknown
      }
    }
    this.facts.set(t.name ?? '', { type, dims, value });
  }

  /** Infers the outputs of a node appended after construction (e.g. an emitted gradient node). */
  add(node: NodeProto): void {
    this.inferNode(node, new Map());
  }

  /** Registers a constant created after construction. */
  addConstant(name: string, value: TensorValue): void {
    this.constants.set(name, value);
    const ints = value.type === 'int64' || value.type === 'int32';
    this.facts.set(name, {
      type: value.type,
      dims: value.dims,
      value: ints && value.data.length <= MAX_VALUE_LENGTH ? toNumbers(value) : undefined,
    });
  }

  /**
   * Records that `name` has the shape of `like` (a gradient has its tensor's shape). The forward tensor's
   * symbols win over ones inferred through the backward graph, so later broadcasts compare equal symbols;
   * numbers known on either side are kept.
   */
  assumeShapeOf(name: string, like: TensorFacts): void {
    const current = this.facts.get(name) ?? {};
    let dims = like.dims ?? current.dims;
    if (like.dims && current.dims && like.dims.length === current.dims.length) {
      dims = like.dims.map((d, i) =>
        typeof d === 'number' ? d : typeof current.dims![i] === 'number' ? current.dims![i]! : d,
      );
    }
    this.facts.set(name, { type: current.type ?? like.type, dims, value: current.value });
  }

  private inferNode(
    node: NodeProto,
    hints: Map<string, { type?: { tensorType?: { elemType?: number | null } | null } | null }>,
  ): void {
    if (node.opType === 'Constant' && (node.domain ?? '') === '') {
      const value = constantNodeValue(node);
      if (value) {
        this.constants.set(node.output[0]!, value);
        const ints = value.type === 'int64' || value.type === 'int32';
        this.facts.set(node.output[0]!, {
          type: value.type,
          dims: value.dims,
          value: ints && value.data.length <= MAX_VALUE_LENGTH ? toNumbers(value) : undefined,
        });
      }
      return;
    }
    const rule =
      (node.domain ?? '') === '' || node.domain === 'ai.onnx' ? this.rules[node.opType] : undefined;
    let out: readonly TensorFacts[] = [];
    if (rule) {
      try {
        out = rule(this.context(node));
      } catch {
        out = [];
      }
    }
    node.output.forEach((name, i) => {
      if (!name) return;
      const f = out[i] ?? {};
      const hinted = hints.get(name)?.type?.tensorType?.elemType;
      const type = f.type ?? (hinted ? safeType(hinted) : undefined);
      const value = f.value && f.value.length <= MAX_VALUE_LENGTH ? f.value : undefined;
      this.facts.set(name, { type, dims: f.dims, value });
    });
  }

  private context(node: NodeProto): ShapeContext {
    const input = (i: number): string => node.input[i] ?? '';
    return {
      node,
      opset: this.opset,
      in: (i) => (input(i) ? this.get(input(i)) : {}),
      has: (i) => input(i) !== '',
      numbers: (i) => {
        const c = input(i) ? this.constants.get(input(i)) : undefined;
        return c ? toNumbers(c) : undefined;
      },
      ints: (i) => {
        if (!input(i)) return undefined;
        return this.get(input(i)).value;
      },
      attrInt: (name, fallback) => attrInt(node.attribute, name, fallback),
      attrInts: (name) => attrInts(node.attribute, name),
    };
  }
}

function safeType(code: number): ElementType | undefined {
  try {
    return elementTypeOf(code);
  } catch {
    return undefined;
  }
}
