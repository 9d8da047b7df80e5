/**
 * Writing the dataset's diffusers folder as a float16 single-file checkpoint reproduces the dataset's own
 * checkpoint.safetensors byte for byte for every tensor the diffusers model has, and the written file
 * reopens with the exact configs (carried in its metadata).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDiffusersFolder } from '../../server/sd/weights/diffusersFolder';
import { loadCheckpoint } from '../../server/sd/weights/loadCheckpoint';
import { writeLdmCheckpoint } from '../../server/sd/weights/ldmCheckpointWriter';
import { SafetensorsFile } from '../../server/sd/weights/safetensorsFile';
import { checkpointKeymap, datasetName, datasetPath } from '../support/referenceData';

const keymap = checkpointKeymap();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoint-writer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe(`ldm checkpoint writer (${datasetName})`, () => {
  it('reproduces the dataset checkpoint for every mapped tensor and reopens with the same configs', async () => {
    const folder = openDiffusersFolder(datasetPath('model'));
    const file = path.join(tmp, 'written.safetensors');
    await writeLdmCheckpoint(file, folder, { dtype: 'F16' });
    const written = SafetensorsFile.open(file);
    const reference = SafetensorsFile.open(datasetPath('checkpoint.safetensors'));
    const mapped = Object.entries(keymap)
      .filter(([, target]) => target !== null)
      .map(([key]) => key);
    for (const key of mapped) {
      expect(written.shape(key), key).toEqual(reference.shape(key));
      expect(
        Buffer.compare(Buffer.from(written.readBytes(key)), Buffer.from(reference.readBytes(key))),
        key,
      ).toBe(0);
    }
    // SD 2.x: the OpenCLIP tower's unused last block is written too (zeros: the folder does not have it)
    const extra = written.names().filter((k) => !mapped.includes(k));
    for (const key of extra) expect(keymap[key], key).toBeNull();
    written.close();
    reference.close();

    const reopened = loadCheckpoint(file);
    expect(reopened.family).toBe(folder.family);
    expect(reopened.configSource).toBe('inferred from tensor shapes, overridden by checkpoint metadata');
    expect(reopened.configs.unet).toEqual(folder.configs.unet);
    expect(reopened.configs.textEncoder).toEqual(folder.configs.textEncoder);
    expect(reopened.configs.vae).toEqual(folder.configs.vae);
    expect(reopened.predictionType).toBe(folder.predictionType);
    reopened.close();
    folder.close();
  });
});
