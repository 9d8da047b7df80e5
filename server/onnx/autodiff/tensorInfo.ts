/**
 * ValueInfo protos for the inputs and outputs vjp adds (cotangents, gradients, pinned inputs): declared
 * types are copied, otherwise element type and dims come from shape inference.
 */
import { onnx, type TensorProto, type ValueInfoProto } from '../proto';
import { dimsOf } from '../tensorProto';
import { elementTypeOf, onnxTypeCode, type ElementType } from '../dataTypes';
import { isPlainParam, type SymDim } from '../shapes/symbolicDims';

/** The input with its dims replaced by pinned ones (so onnxruntime sees static shapes too). */
export function pinInput(
  v: ValueInfoProto,
  pinned: Readonly<Record<string, readonly SymDim[]>> | undefined,
): ValueInfoProto {
  const dims = pinned?.[v.name ?? ''];
  const elemType = v.type?.tensorType?.elemType;
  if (!dims || !elemType) return v;
  return typedInfo(v.name ?? '', elementTypeOf(elemType), dims, undefined, undefined);
}

/** A ValueInfo named `name`: the declared type when there is one, else the inferred type and dims. */
export function typedInfo(
  name: string,
  type: ElementType | undefined,
  dims: readonly SymDim[] | undefined,
  declared: ValueInfoProto | undefined,
  init: TensorProto | undefined,
): ValueInfoProto {
  if (declared?.type) return onnx.ValueInfoProto.create({ name, type: declared.type });
  const elemType = type ? onnxTypeCode(type) : init ? init.dataType : onnxTypeCode('float32');
  const shapeDims = init ? dimsOf(init) : dims;
  const tensorType = onnx.TypeProto.Tensor.create({ elemType });
  if (shapeDims) {
    tensorType.shape = onnx.TensorShapeProto.create({
      dim: shapeDims.map((d) =>
        typeof d === 'number'
          ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
          : isPlainParam(d)
            ? onnx.TensorShapeProto.Dimension.create({ dimParam: d })
            : onnx.TensorShapeProto.Dimension.create(),
      ),
    });
  }
  return onnx.ValueInfoProto.create({ name, type: onnx.TypeProto.create({ tensorType }) });
}
