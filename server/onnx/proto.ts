/**
 * The ONNX protobuf schema, as generated code from the maintained `onnx-proto` package.
 * Everything in server/onnx imports the message classes from here so the dependency lives in one place.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.GraphProto;
export type NodeProto = onnxProto.onnx.NodeProto;
export type TensorProto = onnxProto.onnx.TensorProto;
export type AttributeProto = onnxProto.onnx.AttributeProto;
export type ValueInfoProto = onnxProto.onnx.ValueInfoProto;
export type ITensorProto = onnxProto.onnx.ITensorProto;
export type INodeProto = onnxProto.onnx.INodeProto;
export type IAttributeProto = onnxProto.onnx.IAttributeProto;
export type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** protobufjs decodes int64 fields as Long objects (or numbers); this turns either into a JS number. */
export function int64ToNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}
