/**
 * Shared pieces of the graph-builder reference tests: the dataset's configs and weights (through the
 * project's own loaders), ORT feeds from golden arrays and the README's float32 tolerance.
 */
import { expect } from 'vitest';
import { ort } from '../../server/onnx/sessions';
import {
  openClipModelFolder,
  openDiffusersFolder,
  type OpenedClipModel,
} from '../../server/sd/weights/diffusersFolder';
import type { ModelWeights } from '../../server/sd/weights/modelWeights';
import { worstExcess } from '../support/arrayCompare';
import { datasetPath, type GoldenArray } from '../support/referenceData';

let model: ModelWeights | undefined;

/** The dataset's diffusers pipeline folder `model/`, opened (and checked) by the project's loader. */
export function datasetModel(): ModelWeights {
  model ??= openDiffusersFolder(datasetPath('model'));
  return model;
}

/** The dataset's scoring CLIP folder `clip/`, opened by the project's loader. */
export function datasetClip(): OpenedClipModel {
  return openClipModelFolder(datasetPath('clip'));
}

/** A float32 ORT tensor of a golden array. */
export function floatTensor(array: GoldenArray): ort.Tensor {
  return new ort.Tensor('float32', array.data, array.shape);
}

/** An integer ORT tensor of a golden id array. */
export function idsTensor(array: GoldenArray, type: 'int32' | 'int64' = 'int32'): ort.Tensor {
  return type === 'int32'
    ? new ort.Tensor('int32', Int32Array.from(array.data), array.shape)
    : new ort.Tensor(
        'int64',
        BigInt64Array.from(array.data, (v) => BigInt(v)),
        array.shape,
      );
}

/** The README's float32 forward-pass tolerance: |a - b| <= 1e-4 + 1e-4·|b| for every element. */
export function expectGolden(actual: ort.Tensor | undefined, expected: GoldenArray, label: string): void {
  expect(actual, `${label}: output missing`).toBeDefined();
  expect([...actual!.dims], `${label}: shape`).toEqual(expected.shape);
  const excess = worstExcess(actual!.data as Float32Array, expected.data, 1e-4, 1e-4);
  expect(excess, `${label}: worst excess over tolerance`).toBeLessThanOrEqual(0);
}
