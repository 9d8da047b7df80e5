/**
 * Node attributes from plain JS values. Integers become INT(S) and other numbers FLOAT(S); wrap a value in
 * `float(...)`/`floats(...)` where ONNX wants a float that happens to be whole (e.g. LeakyRelu alpha = 1).
 */
import { onnx, int64ToNumber, type AttributeProto, type IAttributeProto } from './proto';
import { makeTensorProto, readTensor, type TensorValue } from './tensorProto';

const A = onnx.AttributeProto.AttributeType;

class FloatAttr {
  constructor(
    readonly values: readonly number[],
    readonly list: boolean,
  ) {}
}

/** Forces a float attribute. */
export function float(value: number): FloatAttr {
  return new FloatAttr([value], false);
}

/** Forces a floats attribute. */
export function floats(values: readonly number[]): FloatAttr {
  return new FloatAttr(values, true);
}

export type AttributeValue =
  number | string | readonly number[] | readonly string[] | FloatAttr | TensorValue;
export type Attributes = Record<string, AttributeValue | undefined>;

function isTensorValue(v: AttributeValue): v is TensorValue {
  return typeof v === 'object' && v !== null && 'data' in v && 'dims' in v && 'type' in v;
}

/** Encodes one attribute. */
export function makeAttribute(name: string, value: AttributeValue): AttributeProto {
  if (value instanceof FloatAttr) {
    return value.list
      ? onnx.AttributeProto.create({ name, type: A.FLOATS, floats: [...value.values] })
      : onnx.AttributeProto.create({ name, type: A.FLOAT, f: value.values[0] });
  }
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? onnx.AttributeProto.create({ name, type: A.INT, i: value })
      : onnx.AttributeProto.create({ name, type: A.FLOAT, f: value });
  }
  if (typeof value === 'string') {
    return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(value) });
  }
  if (isTensorValue(value)) {
    return onnx.AttributeProto.create({ name, type: A.TENSOR, t: makeTensorProto('', value) });
  }
  if (value.every((v): v is string => typeof v === 'string')) {
    return onnx.AttributeProto.create({
      name,
      type: A.STRINGS,
      strings: value.map((s) => new TextEncoder().encode(s)),
    });
  }
  const nums = value as readonly number[];
  return nums.every((v) => Number.isInteger(v))
    ? onnx.AttributeProto.create({ name, type: A.INTS, ints: [...nums] })
    : onnx.AttributeProto.create({ name, type: A.FLOATS, floats: [...nums] });
}

/** Encodes an attribute record, skipping undefined entries. */
export function makeAttributes(attrs: Attributes = {}): AttributeProto[] {
  return Object.entries(attrs)
    .filter((e): e is [string, AttributeValue] => e[1] !== undefined)
    .map(([k, v]) => makeAttribute(k, v));
}

/** Typed readers over a node's attribute list. */
export function attr(
  attrs: readonly IAttributeProto[] | null | undefined,
  name: string,
): IAttributeProto | undefined {
  return attrs?.find((a) => a.name === name);
}

export function attrInt(
  attrs: readonly IAttributeProto[] | null | undefined,
  name: string,
  fallback: number,
): number {
  const a = attr(attrs, name);
  return a ? int64ToNumber(a.i) : fallback;
}

export function attrInts(
  attrs: readonly IAttributeProto[] | null | undefined,
  name: string,
): number[] | undefined {
  const a = attr(attrs, name);
  return a ? (a.ints ?? []).map(int64ToNumber) : undefined;
}

export function attrFloat(
  attrs: readonly IAttributeProto[] | null | undefined,
  name: string,
  fallback: number,
): number {
  const a = attr(attrs, name);
  return a ? (a.f ?? fallback) : fallback;
}

export function attrString(
  attrs: readonly IAttributeProto[] | null | undefined,
  name: string,
  fallback: string,
): string {
  const a = attr(attrs, name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}

export function attrTensor(
  attrs: readonly IAttributeProto[] | null | undefined,
  name: string,
): TensorValue | undefined {
  const a = attr(attrs, name);
  return a?.t ? readTensor(a.t) : undefined;
}
