import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModel, loadModel, saveModel } from '../../server/onnx/modelIO';
import { onnx, type ModelProto } from '../../server/onnx/proto';
import { isExternal, readTensor } from '../../server/onnx/tensorProto';
import { createSession, ort } from '../../server/onnx/sessions';
import { datasetPath, goldenArray, referenceDir } from '../support/referenceData';

const modelFiles = fs
  .readdirSync(referenceDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.onnx'))
  .map((f) => path.join(referenceDir, f))
  .sort();
const unetFile = datasetPath('onnx', 'unet', 'model.onnx');

const tmpDirs: string[] = [];
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelio-test-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A plain-object view of a message (int64 as strings, bytes as base64) for deep comparison. */
function plain(model: ModelProto): unknown {
  return onnx.ModelProto.toObject(model, { longs: String, bytes: String, enums: Number });
}

function inits(model: ModelProto) {
  return model.graph?.initializer ?? [];
}

function nodeNames(model: ModelProto): string[] {
  return (model.graph?.node ?? []).map((n) => n.name ?? '');
}

function encodeAll(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

describe('model IO round trip of the reference exports', () => {
  it('finds the exported models', () => {
    expect(modelFiles.length).toBeGreaterThanOrEqual(4);
    expect(modelFiles).toContain(unetFile);
  });

  it.each(modelFiles.map((f) => [path.relative(referenceDir, f), f]))(
    '%s: decode → encode → decode is a fixed point',
    (_, file) => {
      const original = loadModel(file).model;
      const bytes = encodeAll(original);
      const again = onnx.ModelProto.decode(bytes);
      expect(plain(again)).toEqual(plain(original));
      expect(Buffer.compare(Buffer.from(encodeAll(again)), Buffer.from(bytes))).toBe(0);
      expect(nodeNames(again)).toEqual(nodeNames(original));
    },
  );

  it.each(modelFiles.filter((f) => f !== unetFile).map((f) => [path.relative(referenceDir, f), f]))(
    '%s: saveModel writes a file that reads back as the same message',
    (_, file) => {
      const { model } = loadModel(file);
      const out = path.join(tmpDir(), 'copy.onnx');
      saveModel(model, out);
      expect(plain(loadModel(out).model)).toEqual(plain(model));
      expect(Buffer.compare(fs.readFileSync(out), Buffer.from(encodeModel(model)))).toBe(0);
    },
  );
});

describe('external data (reference UNet + weights.pb)', () => {
  it('loads lazily: external tensors stay references until read', () => {
    const { model, baseDir } = loadModel(unetFile);
    const external = inits(model).filter((t) => isExternal(t));
    expect(external.length).toBeGreaterThan(0);
    for (const t of external) expect(t.rawData?.length ?? 0).toBe(0);
    const first = readTensor(external[0]!, baseDir);
    expect(first.data.length).toBeGreaterThan(0);
    expect(() => encodeModel(model)).toThrow(/refers to external data; save with saveModel/);
  });

  it('saves with a new sidecar, reloads identical tensors, and ORT gives identical outputs', async () => {
    const { model, baseDir } = loadModel(unetFile);
    const dir = tmpDir();
    const out = path.join(dir, 'unet.onnx');
    saveModel(model, out, {
      externalData: { location: 'unet.weights', thresholdBytes: 1024 },
      sourceDir: baseDir,
    });
    expect(fs.existsSync(path.join(dir, 'unet.weights'))).toBe(true);

    const reloaded = loadModel(out);
    const before = inits(model);
    const after = inits(reloaded.model);
    expect(after.map((t) => t.name)).toEqual(before.map((t) => t.name));
    for (let i = 0; i < before.length; i++) {
      const a = readTensor(before[i]!, baseDir);
      const b = readTensor(after[i]!, reloaded.baseDir);
      expect(b.type).toBe(a.type);
      expect(b.dims).toEqual(a.dims);
      expect(
        Buffer.compare(
          Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength),
          Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength),
        ),
      ).toBe(0);
      expect(isExternal(after[i]!)).toBe(a.data.byteLength >= 1024);
    }
    const sameGraph = { ...(plain(reloaded.model) as object), graph: undefined };
    expect(sameGraph).toEqual({ ...(plain(model) as object), graph: undefined });
    expect(nodeNames(reloaded.model)).toEqual(nodeNames(model));

    // inlining everything and saving to a third place gives the same tensors too
    const inline = path.join(tmpDir(), 'inline.onnx');
    saveModel(reloaded.model, inline, { sourceDir: reloaded.baseDir });
    expect(inits(loadModel(inline).model).some((t) => isExternal(t))).toBe(false);

    const feeds = Object.fromEntries(
      (['sample', 'timestep', 'encoder_hidden_states'] as const).map((k) => {
        const golden = goldenArray(`unet.${k}`);
        return [k, new ort.Tensor('float32', golden.data, golden.shape)];
      }),
    );
    const outputs: Float32Array[] = [];
    for (const file of [unetFile, out, inline]) {
      const session = await createSession(file, { provider: 'cpu', threads: 1 });
      const result = await session.run(feeds);
      outputs.push(result.out_sample!.data as Float32Array);
      await session.release();
    }
    const expected = goldenArray('unet.out_sample').data;
    expect(outputs[0]!.length).toBe(expected.length);
    outputs[0]!.forEach((v, i) =>
      expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(expected[i]!)),
    );
    expect(Array.from(outputs[1]!)).toEqual(Array.from(outputs[0]!));
    expect(Array.from(outputs[2]!)).toEqual(Array.from(outputs[0]!));
  });
});

describe('saveModel with typed-field tensors (as torch.onnx writes small constants)', () => {
  function modelWithFloatData(): ModelProto {
    const w = onnx.TensorProto.create({
      name: 'w',
      dataType: onnx.TensorProto.DataType.FLOAT,
      dims: [3],
      floatData: [1.5, -2, 4],
    });
    const x = onnx.ValueInfoProto.create({
      name: 'x',
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 3 }] } } },
    });
    const y = onnx.ValueInfoProto.create({
      name: 'y',
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } },
    });
    const graph = onnx.GraphProto.create({
      name: 'g',
      node: [onnx.NodeProto.create({ opType: 'Mul', input: ['x', 'w'], output: ['y'], name: 'mul' })],
      input: [x],
      output: [y],
      initializer: [w],
    });
    return onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph });
  }

  it.each([
    ['stays inline and untouched below the threshold', 1024, false],
    ['moves to the sidecar without its typed copy above the threshold', 4, true],
  ])('%s', async (_, thresholdBytes, external) => {
    const dir = tmpDir();
    const file = path.join(dir, 'm.onnx');
    saveModel(modelWithFloatData(), file, { externalData: { location: 'm.data', thresholdBytes } });
    const loaded = loadModel(file);
    const w = inits(loaded.model)[0]!;
    expect(isExternal(w)).toBe(external);
    expect(w.floatData?.length ?? 0).toBe(external ? 0 : 3);
    expect(w.rawData?.length ?? 0).toBe(0);
    expect(Array.from(readTensor(w, loaded.baseDir).data as Float32Array)).toEqual([1.5, -2, 4]);
    const session = await createSession(file, { provider: 'cpu' });
    const y = (await session.run({ x: new ort.Tensor('float32', Float32Array.from([2, 2, 2]), [3]) })).y!;
    expect(Array.from(y.data as Float32Array)).toEqual([3, -4, 8]);
  });
});
