import { describe, expect, it } from 'vitest';
import { loadModel } from '../../server/onnx/modelIO';
import { isExternal, readTensor } from '../../server/onnx/tensorProto';
import { inlineExternalData } from '../../server/onnx/surgery/inlineExternalData';
import { graphOf } from '../../server/onnx/surgery/graphIndex';
import { datasetPath } from '../support/referenceData';

describe('inlineExternalData', () => {
  it('reads every external tensor of the reference UNet into the message, bytes unchanged', () => {
    const { model, baseDir } = loadModel(datasetPath('onnx', 'unet', 'model.onnx'));
    const inlined = inlineExternalData(model, baseDir);
    const before = graphOf(model).initializer ?? [];
    const after = graphOf(inlined).initializer ?? [];
    expect(before.some((t) => isExternal(t))).toBe(true);
    expect(after.some((t) => isExternal(t))).toBe(false);
    expect(after.map((t) => t.name)).toEqual(before.map((t) => t.name));
    before.forEach((t, i) => {
      const a = readTensor(t, baseDir);
      const b = readTensor(after[i]!);
      expect(b.dims).toEqual(a.dims);
      expect(
        Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength).equals(
          Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength),
        ),
      ).toBe(true);
    });
    expect(before.filter((t) => isExternal(t)).every((t) => (t.rawData?.length ?? 0) === 0)).toBe(true);
  });
});
