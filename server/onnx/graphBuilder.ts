/**
 * A typed builder for ONNX graphs. Tensors are referred to by name (plain strings); `op` appends a node and
 * returns its output name(s). Used by the SD graph builders, by autodiff (to emit gradient nodes) and by
 * graph surgery (to append subgraphs such as a loss).
 */
import { onnx, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto';
import { makeAttributes, type Attributes } from './attributes';
import { onnxTypeCode, typedArrayOf, type ElementType, type AnyTypedArray } from './dataTypes';
import { makeTensorProto, type TensorValue } from './tensorProto';

/** A dimension: a fixed size or a symbolic name such as "batch". */
export type Dim = number | string;

export const DEFAULT_OPSET = 17;

export interface BuilderOptions {
  readonly name?: string;
  readonly opset?: number;
  /** Prefix for generated names, so graphs built separately can be merged without clashes. */
  readonly prefix?: string;
}

export function valueInfo(name: string, type: ElementType, shape?: readonly Dim[]): ValueInfoProto {
  const tensorType = onnx.TypeProto.Tensor.create({ elemType: onnxTypeCode(type) });
  if (shape) {
    tensorType.shape = onnx.TensorShapeProto.create({
      dim: shape.map((d) =>
        typeof d === 'number'
          ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
          : onnx.TensorShapeProto.Dimension.create({ dimParam: d }),
      ),
    });
  }
  return onnx.ValueInfoProto.create({ name, type: onnx.TypeProto.create({ tensorType }) });
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly opset: number;
  readonly name: string;
  private readonly prefix: string;
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(options: BuilderOptions = {}) {
    this.opset = options.opset ?? DEFAULT_OPSET;
    this.name = options.name ?? 'graph';
    this.prefix = options.prefix ?? '';
  }

  /** A fresh tensor or node name starting with `hint`. */
  fresh(hint: string): string {
    let name = `${this.prefix}${hint}`;
    while (this.used.has(name)) name = `${this.prefix}${hint}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Marks names as taken (e.g. those of an existing graph this builder extends). */
  reserve(names: Iterable<string>): void {
    for (const n of names) this.used.add(n);
  }

  /** Declares a graph input and returns its name. */
  input(name: string, type: ElementType, shape?: readonly Dim[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares `tensor` as a graph output, optionally under another name (an Identity is inserted). */
  output(tensor: string, type: ElementType, shape?: readonly Dim[], as?: string): string {
    let name = tensor;
    if (as && as !== tensor) {
      name = as;
      this.used.add(as);
      this.nodes.push(
        onnx.NodeProto.create({
          opType: 'Identity',
          input: [tensor],
          output: [as],
          name: this.fresh(`Identity_${as}`),
        }),
      );
    }
    this.outputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Adds an initializer under exactly `name` and returns it. */
  initializer(name: string, value: TensorValue): string {
    if (this.used.has(name)) throw new Error(`graph already has a tensor named "${name}"`);
    this.used.add(name);
    this.initializers.push(makeTensorProto(name, value));
    return name;
  }

  /** A constant tensor (stored as an initializer with a generated name). */
  constant(
    data: AnyTypedArray | readonly number[],
    dims: readonly number[],
    type: ElementType = 'float32',
    hint = 'const',
  ): string {
    const array = Array.isArray(data) ? typedArrayOf(type, data) : (data as AnyTypedArray);
    const name = this.fresh(hint);
    this.initializers.push(makeTensorProto(name, { type, dims, data: array }));
    return name;
  }

  /** A float32 scalar constant. */
  scalar(value: number, type: ElementType = 'float32'): string {
    return this.constant([value], [], type, 'scalar');
  }

  /** A 1-D int64 constant (shapes, axes, indices). */
  ints(values: readonly number[]): string {
    return this.constant(BigInt64Array.from(values.map(BigInt)), [values.length], 'int64', 'ints');
  }

  /** Appends a node with one output and returns the output's name. */
  op(opType: string, inputs: readonly string[], attrs?: Attributes, outputName?: string): string {
    return this.opN(opType, inputs, 1, attrs, outputName ? [outputName] : undefined)[0]!;
  }

  /** Appends a node with `count` outputs and returns their names. Use "" in `inputs` for an absent optional input. */
  opN(
    opType: string,
    inputs: readonly string[],
    count: number,
    attrs?: Attributes,
    outputNames?: readonly string[],
    domain = '',
  ): string[] {
    const nodeName = this.fresh(opType);
    const outputs = outputNames
      ? outputNames.map((n) => {
          this.used.add(n);
          return n;
        })
      : Array.from({ length: count }, (_, i) => this.fresh(`${nodeName}_out${count > 1 ? i : ''}`));
    this.nodes.push(
      onnx.NodeProto.create({
        name: nodeName,
        opType,
        domain,
        input: [...inputs],
        output: outputs,
        attribute: makeAttributes(attrs),
      }),
    );
    return outputs;
  }

  /** Appends an already-made node (its names are reserved). */
  addNode(node: NodeProto): void {
    for (const n of [...node.output, node.name]) this.used.add(n);
    this.nodes.push(node);
  }

  /** The model: IR 8, the default ONNX domain at this builder's opset. */
  toModel(extraOpsets: Record<string, number> = {}): ModelProto {
    const graph = onnx.GraphProto.create({
      name: this.name,
      node: this.nodes,
      input: this.inputs,
      output: this.outputs,
      initializer: this.initializers,
    });
    return onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'inversion-studio',
      opsetImport: [
        { domain: '', version: this.opset },
        ...Object.entries(extraOpsets).map(([domain, version]) => ({ domain, version })),
      ],
      graph,
    });
  }
}
