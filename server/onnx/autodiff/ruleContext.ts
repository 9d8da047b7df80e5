/**
 * What a gradient rule sees while it emits the backward of one node: the node's tensors, which inputs need
 * gradients, the gradients of its outputs (`grad(i)`), constants in the node's float type (`constant(v)`),
 * and every shared emission helper of GraphOps.
 */
import type { NodeProto } from '../proto';
import type { ElementType } from '../dataTypes';
import { attrFloat, attrInt, attrInts, attrString } from '../attributes';
import { GraphOps, type EmitState } from './graphOps';
import { toNumbers } from '../shapes/constantValues';

/** Callbacks into the vjp walk for one node. */
export interface NodeLinks {
  /** The accumulated gradient of a forward tensor, or undefined when none reaches it. */
  gradientOf(tensor: string): string | undefined;
  /** Whether input `i` of the node needs a gradient. */
  needs(i: number): boolean;
  /** The forward node producing a tensor (undefined for inputs and initializers). */
  producer(tensor: string): NodeProto | undefined;
  /** Makes output `i` of the forward node exist (e.g. LayerNormalization's InvStdDev) and returns its name. */
  exposeOutput(i: number): string;
  /**
   * The tensor to read for a forward tensor's value: itself, or a copy recomputed in the backward pass
   * (not before `after`, the gradient reaching this node, exists).
   */
  valueOf(tensor: string, after: string | undefined): string;
}

export class RuleContext extends GraphOps {
  constructor(
    state: EmitState,
    readonly node: NodeProto,
    private readonly links: NodeLinks,
  ) {
    super(state);
  }

  get opType(): string {
    return this.node.opType;
  }

  /** The value of input `i` (a recomputed copy when the vjp recomputes it). */
  input(i: number): string {
    const name = this.node.input[i] ?? '';
    return name && this.links.valueOf(name, this.gradOrUndefined(0));
  }

  /** The value of output `i` (a recomputed copy when the vjp recomputes it). */
  output(i: number): string {
    const name = this.node.output[i] ?? '';
    return name && this.links.valueOf(name, this.gradOrUndefined(0));
  }

  hasInput(i: number): boolean {
    return (this.node.input[i] ?? '') !== '';
  }

  needs(i: number): boolean {
    return this.hasInput(i) && this.links.needs(i);
  }

  /** The gradient of output `i`, or undefined when no gradient reaches it. */
  gradOrUndefined(i = 0): string | undefined {
    const out = this.node.output[i] ?? '';
    return out ? this.links.gradientOf(out) : undefined;
  }

  /** The gradient of output `i` (zeros when no gradient reaches it). */
  grad(i = 0): string {
    return (
      this.gradOrUndefined(i) ?? this.zerosLike(this.output(i), this.type(this.output(i)) ?? this.floatType)
    );
  }

  /** The element type gradients of this node are computed in. */
  get floatType(): ElementType {
    return this.type(this.output(0)) ?? this.type(this.input(0)) ?? 'float32';
  }

  /** A constant in the node's float type: a scalar, or a tensor with `dims`. */
  constant(value: number | readonly number[], dims?: readonly number[]): string {
    const values = typeof value === 'number' ? [value] : value;
    return this.tensorConstant(
      values,
      dims ?? (typeof value === 'number' ? [] : [values.length]),
      this.floatType,
    );
  }

  private readonly folded = new Set<number>();

  /**
   * Declares that the gradient reaching input `i` through this node is already part of another input's
   * gradient (e.g. the variance path of a LayerNorm folded into the closed form for x); input `i` gets none.
   */
  fold(i: number): void {
    this.folded.add(i);
  }

  isFolded(i: number): boolean {
    return this.folded.has(i);
  }

  /** The forward node that produces `tensor`, to recognise patterns such as a mean of this node's input. */
  producer(tensor: string): NodeProto | undefined {
    return this.links.producer(tensor);
  }

  forwardOutput(i: number): string {
    return this.links.exposeOutput(i);
  }

  attrInt(name: string, fallback: number): number {
    return attrInt(this.node.attribute, name, fallback);
  }

  attrInts(name: string): number[] | undefined {
    return attrInts(this.node.attribute, name);
  }

  attrFloat(name: string, fallback: number): number {
    return attrFloat(this.node.attribute, name, fallback);
  }

  attrString(name: string, fallback: string): string {
    return attrString(this.node.attribute, name, fallback);
  }

  /** The numbers of a constant input (initializer or Constant node), if it is one. */
  constNumbers(i: number): number[] | undefined {
    return this.hasInput(i) ? this.numbersOf(this.input(i)) : undefined;
  }

  /** The integer values of input `i` when known at build time (constants or static shape arithmetic). */
  constInts(i: number): number[] | undefined {
    return this.hasInput(i) ? this.intsOf(this.input(i)) : undefined;
  }

  /** The integer values of any tensor when known at build time. */
  intsOf(tensor: string): number[] | undefined {
    const v = this.state.facts.get(tensor).value;
    if (v && v.every((x) => typeof x === 'number')) return v as number[];
    const c = this.state.facts.constants.get(tensor);
    return c ? toNumbers(c) : undefined;
  }

  /** The numbers of any constant tensor. */
  numbersOf(tensor: string): number[] | undefined {
    const c = this.state.facts.constants.get(tensor);
    return c ? toNumbers(c) : undefined;
  }

  /** Throws a message naming this node. */
  fail(reason: string): never {
    throw new Error(`cannot differentiate ${this.opType} node "${this.node.name ?? ''}": ${reason}`);
  }
}
