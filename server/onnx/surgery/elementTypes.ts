/**
 * Element types of every tensor in a graph, propagated from inputs and initializers through a short table
 * of op typing rules. Surgery needs them to declare a cut tensor as a typed graph input; ONNX exports rarely
 * carry value_info for intermediates.
 */
import type { INodeProto } from '../proto';
import type { IGraphProto } from './graphIndex';
import { attr, attrInt } from '../attributes';
import { elementTypeOf, type ElementType } from '../dataTypes';

type Rule = (inputs: (ElementType | undefined)[], node: INodeProto) => ElementType | undefined;

const boolOut: Rule = () => 'bool';
const int64Out: Rule = () => 'int64';
const fromInput =
  (i: number): Rule =>
  (inputs) =>
    inputs[i];
const castTo: Rule = (_, node) => elementTypeOf(attrInt(node.attribute, 'to', 0));
const fromValueAttr: Rule = (_, node) => {
  const value = attr(node.attribute, 'value');
  if (value?.t) return elementTypeOf(value.t.dataType ?? 0);
  if (attr(node.attribute, 'value_float') || attr(node.attribute, 'value_floats')) return 'float32';
  if (attr(node.attribute, 'value_int') || attr(node.attribute, 'value_ints')) return 'int64';
  return node.opType === 'ConstantOfShape' ? 'float32' : undefined;
};
const dtypeAttr =
  (fallback: Rule): Rule =>
  (inputs, node) => {
    const a = attr(node.attribute, 'dtype');
    return a ? elementTypeOf(Number(a.i)) : fallback(inputs, node);
  };

/** Op types whose output type is not simply the type of input 0. */
const RULES: Record<string, Rule> = {
  Shape: int64Out,
  Size: int64Out,
  ArgMax: int64Out,
  ArgMin: int64Out,
  NonZero: int64Out,
  Equal: boolOut,
  Less: boolOut,
  LessOrEqual: boolOut,
  Greater: boolOut,
  GreaterOrEqual: boolOut,
  And: boolOut,
  Or: boolOut,
  Xor: boolOut,
  Not: boolOut,
  IsNaN: boolOut,
  IsInf: boolOut,
  Cast: castTo,
  CastLike: fromInput(1),
  Constant: fromValueAttr,
  ConstantOfShape: fromValueAttr,
  Where: fromInput(1),
  RandomNormal: dtypeAttr(() => 'float32'),
  RandomUniform: dtypeAttr(() => 'float32'),
  RandomNormalLike: dtypeAttr(fromInput(0)),
  RandomUniformLike: dtypeAttr(fromInput(0)),
  EyeLike: dtypeAttr(fromInput(0)),
};

/** Output index → rule, for ops whose secondary outputs differ (TopK indices, MaxPool indices...). */
const SECONDARY: Record<string, Record<number, Rule>> = {
  TopK: { 1: int64Out },
  MaxPool: { 1: int64Out },
  Unique: { 1: int64Out, 2: int64Out, 3: int64Out },
};

/**
 * Element type of each tensor that can be typed; tensors of unknown ops (custom domains) are absent.
 * Declared types (inputs, outputs, value_info, initializers) win over inferred ones.
 */
export function inferElementTypes(graph: IGraphProto): Map<string, ElementType> {
  const types = new Map<string, ElementType>();
  const declare = (name: string | null | undefined, code: number | null | undefined): void => {
    if (!name || !code) return;
    try {
      types.set(name, elementTypeOf(code));
    } catch {
      // a type this toolkit cannot represent (string, complex...) stays unknown
    }
  };
  for (const t of graph.initializer ?? []) declare(t.name, t.dataType);
  for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    declare(v.name, v.type?.tensorType?.elemType);
  }
  for (const node of graph.node ?? []) {
    if (node.domain && node.domain !== 'ai.onnx') continue;
    const inputs = (node.input ?? []).map((n) => types.get(n));
    const op = node.opType ?? '';
    (node.output ?? []).forEach((out, i) => {
      if (!out || types.has(out)) return;
      const rule = SECONDARY[op]?.[i] ?? RULES[op] ?? fromInput(0);
      const type = rule(inputs, node);
      if (type) types.set(out, type);
    });
  }
  return types;
}
