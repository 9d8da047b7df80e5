/**
 * The types of shape inference in one module: what is known of a tensor, what a per-op rule sees of its node
 * and the rule itself. The rule tables (shapeRules.ts, layoutShapeRules.ts) and the walk (shapeInference.ts)
 * all import these, and the walk takes its table as a parameter, so no module imports its importer.
 */
import type { NodeProto } from '../proto';
import type { ElementType } from '../dataTypes';
import type { SymDim } from './symbolicDims';

export interface TensorFacts {
  readonly type?: ElementType;
  readonly dims?: readonly SymDim[];
  /** The flattened values of a small integer tensor (shapes, axes, sizes) where they are known. */
  readonly value?: readonly SymDim[];
}

/** What a per-op shape rule sees of one node. */
export interface ShapeContext {
  readonly node: NodeProto;
  readonly opset: number;
  /** Facts about input `i` (empty when absent or unknown). */
  in(i: number): TensorFacts;
  has(i: number): boolean;
  /** Numeric contents of a constant input (initializer or Constant node), any element type. */
  numbers(i: number): number[] | undefined;
  /** Known integer values of input `i` (constant or propagated), possibly symbolic. */
  ints(i: number): readonly SymDim[] | undefined;
  attrInt(name: string, fallback: number): number;
  attrInts(name: string): number[] | undefined;
}

export type ShapeRule = (c: ShapeContext) => readonly TensorFacts[];

/** Shape rules keyed by ONNX op type (default domain). */
export type ShapeRuleTable = Readonly<Record<string, ShapeRule>>;
