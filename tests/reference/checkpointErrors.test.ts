/**
 * Damaged copies of the dataset's single-file checkpoint (made in a temp folder) fail to load with a
 * message that names the problem — a missing or renamed key, a truncated file, a header claiming more
 * bytes than the file holds — and never crash the process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../server/sd/weights/loadCheckpoint';
import { SafetensorsFile } from '../../server/sd/weights/safetensorsFile';
import { writeSafetensors, type SafetensorsEntry } from '../../server/sd/weights/safetensorsWriter';
import { checkpointKeymap, datasetName, datasetPath } from '../support/referenceData';

const source = datasetPath('checkpoint.safetensors');
const keymap = checkpointKeymap();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoint-errors-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The ldm key the keymap assigns to a diffusers weight. */
function ldmKeyOf(target: string): string {
  const found = Object.entries(keymap).find(([, v]) => v === target);
  if (!found) throw new Error(`dataset keymap has no entry for ${target}`);
  return found[0];
}

/** A copy of the checkpoint with its tensors passed through `edit` (rename or drop). */
async function copyWith(name: string, edit: (key: string) => string | undefined): Promise<string> {
  const st = SafetensorsFile.open(source);
  const entries: SafetensorsEntry[] = [];
  for (const key of st.names()) {
    const renamed = edit(key);
    if (renamed !== undefined)
      entries.push({ name: renamed, dtype: st.dtype(key), shape: st.shape(key), data: st.readBytes(key) });
  }
  const file = path.join(tmp, name);
  await writeSafetensors(file, entries);
  st.close();
  return file;
}

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

describe(`damaged checkpoints (${datasetName})`, () => {
  const dropped = ldmKeyOf('vae/decoder.conv_out.bias');
  const renamedFrom = ldmKeyOf('unet/conv_norm_out.weight');

  it('lists a missing key by its checkpoint name', async () => {
    const file = await copyWith('missing.safetensors', (k) => (k === dropped ? undefined : k));
    const text = message(() => loadCheckpoint(file, { allowUnresolved: true }));
    expect(text).toContain(file);
    expect(text).toContain(`1 missing vae: ${dropped}`);
  });

  it('lists a renamed key as unexpected and its old name as missing', async () => {
    const file = await copyWith('renamed.safetensors', (k) => (k === renamedFrom ? `${k}_renamed` : k));
    const text = message(() => loadCheckpoint(file, { allowUnresolved: true }));
    expect(text).toMatch(new RegExp(`1 unexpected( unet)?: ${renamedFrom.replaceAll('.', '\\.')}_renamed`));
    expect(text).toContain(`1 missing unet: ${renamedFrom}`);
  });

  it('names a key that config inference needs', async () => {
    const needed = ldmKeyOf('unet/conv_in.weight');
    const file = await copyWith('no-conv-in.safetensors', (k) => (k === needed ? undefined : k));
    expect(message(() => loadCheckpoint(file, { allowUnresolved: true }))).toContain(
      `checkpoint lacks ${needed}`,
    );
  });

  it('reports a truncated file', () => {
    const bytes = fs.readFileSync(source);
    const file = path.join(tmp, 'truncated.safetensors');
    fs.writeFileSync(file, bytes.subarray(0, bytes.byteLength - 1000));
    const text = message(() => loadCheckpoint(file));
    expect(text).toMatch(
      /claims bytes \d+\.\.\d+ of the data section, but the file holds only \d+ data bytes/,
    );
    expect(text).toContain('truncated');
  });

  it('reports a file cut inside its header', () => {
    const file = path.join(tmp, 'cut-header.safetensors');
    fs.writeFileSync(file, fs.readFileSync(source).subarray(0, 4096));
    expect(message(() => loadCheckpoint(file))).toMatch(
      /header claims \d+ bytes but the file holds only 4088/,
    );
  });

  it('names the tensor whose header entry claims more bytes than the file holds', () => {
    const st = SafetensorsFile.open(source);
    const last = [...st.names()].sort((a, b) => st.info(b).end - st.info(a).end)[0]!;
    const info = st.info(last);
    st.close();
    const bytes = fs.readFileSync(source);
    const length = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as Record<
      string,
      { shape: number[]; data_offsets: number[] }
    >;
    const entry = header[last]!;
    entry.shape = [entry.shape.reduce((a, b) => a * b, 1) * 4];
    entry.data_offsets = [entry.data_offsets[0]!, entry.data_offsets[0]! + (info.end - info.begin) * 4];
    const json = Buffer.from(JSON.stringify(header).padEnd(length, ' '));
    expect(json.byteLength).toBe(length);
    const file = path.join(tmp, 'oversize.safetensors');
    fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, 8), json, bytes.subarray(8 + length)]));
    expect(message(() => loadCheckpoint(file))).toContain(`tensor "${last}" claims bytes`);
  });

  it('refuses pickle checkpoints and missing paths with the fix', () => {
    const ckpt = path.join(tmp, 'model.ckpt');
    fs.writeFileSync(ckpt, 'PK');
    expect(message(() => loadCheckpoint(ckpt))).toMatch(
      /pickle checkpoints \(\.ckpt\) are not loaded.*convert it to \.safetensors/,
    );
    expect(message(() => loadCheckpoint(path.join(tmp, 'nope.safetensors')))).toMatch(
      /does not exist; put \.safetensors files/,
    );
  });

  it('demands a config when head counts cannot be inferred from tiny widths', () => {
    const text = message(() => loadCheckpoint(source));
    expect(text).toMatch(/cannot infer (unet\.attention_head_dim|text_encoder\.num_attention_heads)/);
    expect(text).toContain('checkpoint.configs.json');
  });
});
