/**
 * Embedding layouts built here byte by byte: A1111 .pt (string_to_param, Parameter, fp16 storage, strided
 * view), emb_params safetensors, multi-token diffusers files; and archives whose pickle asks for anything
 * beyond rebuilding tensors, which must be refused with the offending global named.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEmbeddingBytes, readEmbeddingFile } from '../../server/sd/embeddings/embeddingFile';
import { encodeEmbeddingFile } from '../../server/sd/embeddings/embeddingWriter';
import { UnsafePickleError } from '../../server/sd/embeddings/restrictedUnpickler';
import { encodeSafetensors } from '../../server/sd/weights/safetensorsWriter';
import { float32ToFloat16 } from '../../server/sd/weights/tensorDtypes';
import { PickleWriter, torchZip } from './torchArchiveBuilder';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'embedding-formats-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** 0.5-steps are exact in float16. */
const STORAGE = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 2);

describe('A1111 .pt embeddings', () => {
  it('reads string_to_param["*"] from a Parameter over a strided fp16 view, with scalar fields as metadata', () => {
    const p = new PickleWriter().emptyDict().mark();
    p.unicode('string_to_token').emptyDict().unicode('*').int(265).setItem();
    p.unicode('string_to_param').emptyDict().unicode('*');
    // Parameter(tensor) where tensor = storage[1:].view(2, 3) read with strides (1, 2): a transposed view
    p.global('torch._utils', '_rebuild_parameter').mark();
    p.tensor('HalfStorage', '0', 12, 1, [2, 3], [1, 2]);
    p.bool(true).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
    p.setItem();
    p.unicode('name')
      .unicode('my-style')
      .unicode('step')
      .int(1500)
      .unicode('sd_checkpoint_name')
      .unicode('v1-5-pruned');
    p.setItems().stop();
    const file = path.join(tmp, 'my-style.pt');
    fs.writeFileSync(
      file,
      torchZip('archive', p.bytes(), { '0': new Uint8Array(float32ToFloat16(STORAGE).buffer) }),
    );
    const parsed = readEmbeddingFile(file);
    expect(parsed.format).toBe('a1111-pt');
    expect(parsed.metadata).toEqual({ name: 'my-style', step: '1500', sd_checkpoint_name: 'v1-5-pruned' });
    const [e] = parsed.embeddings;
    expect([e!.token, e!.numVectors, e!.dim]).toEqual(['my-style', 2, 3]);
    // element (i, j) = storage[1 + i + 2j]
    expect([...e!.vectors]).toEqual(
      [1, 2, 3, 4, 5, 6].map((_, n) => STORAGE[1 + Math.floor(n / 3) + 2 * (n % 3)]!),
    );
  });
});

describe('safetensors embeddings', () => {
  it('names an emb_params embedding after its file', () => {
    const bytes = encodeSafetensors([
      { name: 'emb_params', dtype: 'F16', shape: [2, 4], data: STORAGE.subarray(0, 8) },
    ]);
    const parsed = parseEmbeddingBytes(bytes, 'uploads/cool-cat.safetensors');
    expect(parsed.format).toBe('emb_params-safetensors');
    expect(parsed.embeddings.map((e) => [e.token, e.numVectors, e.dim, [...e.vectors]])).toEqual([
      ['cool-cat', 2, 4, [...STORAGE.subarray(0, 8)]],
    ]);
  });

  it('reads several tokens, 1-D tensors as one vector', () => {
    const bytes = encodeEmbeddingFile([
      { token: '<a>', numVectors: 2, dim: 3, vectors: STORAGE.subarray(0, 6) },
      { token: '<b>', numVectors: 1, dim: 3, vectors: STORAGE.subarray(6, 9) },
    ]);
    const parsed = parseEmbeddingBytes(bytes, 'two.safetensors');
    expect(parsed.embeddings.map((e) => [e.token, e.numVectors, e.dim])).toEqual([
      ['<a>', 2, 3],
      ['<b>', 1, 3],
    ]);
    const oneD = encodeSafetensors([{ name: '<c>', dtype: 'F32', shape: [4], data: STORAGE.subarray(0, 4) }]);
    expect(parseEmbeddingBytes(oneD, 'c.safetensors').embeddings[0]).toMatchObject({
      token: '<c>',
      numVectors: 1,
      dim: 4,
    });
  });

  it.each([
    [
      encodeSafetensors([{ name: 'clip_l', dtype: 'F32', shape: [1, 2], data: new Float32Array(2) }]),
      /SDXL embedding/,
    ],
    [
      encodeSafetensors([{ name: 't', dtype: 'F32', shape: [1, 1, 2], data: new Float32Array(2) }]),
      /shape \[1, 1, 2\]; expected \[dim\] or \[num_vectors, dim\]/,
    ],
    [new TextEncoder().encode('hello world, not an embedding'), /not an embedding file/],
  ])('refuses unsupported content %#', (bytes, message) => {
    expect(() => parseEmbeddingBytes(bytes, 'x.safetensors')).toThrow(message);
  });
});

describe('pickles that ask for more than tensors', () => {
  const refused = (pickle: Uint8Array): Error => {
    try {
      parseEmbeddingBytes(torchZip('evil', pickle), 'evil.pt');
    } catch (error) {
      expect(error).toBeInstanceOf(UnsafePickleError);
      return error as Error;
    }
    throw new Error('the archive was accepted');
  };

  it('refuses os.system via GLOBAL + REDUCE before calling anything', () => {
    const p = new PickleWriter().global('os', 'system').unicode('touch /tmp/pwned').raw(0x85).reduce().stop();
    expect(refused(p.bytes()).message).toBe(
      'refusing to load evil.pt: its pickle asks for "os.system", but only tensor data is allowed (torch._utils._rebuild_tensor_v2, torch.*Storage, collections.OrderedDict). The file may be malicious or is not an embedding.',
    );
  });

  it.each([
    [
      'builtins.eval via STACK_GLOBAL',
      new PickleWriter().stackGlobal('builtins', 'eval').unicode('1+1').raw(0x85).reduce().stop(),
      /asks for "builtins\.eval"/,
    ],
    [
      'a torch global outside the list',
      new PickleWriter().global('torch', 'load').stop(),
      /asks for "torch\.load"/,
    ],
    [
      'posix.system hidden inside a dict value',
      new PickleWriter()
        .emptyDict()
        .unicode('<tok>')
        .global('posix', 'system')
        .unicode('id')
        .raw(0x85)
        .reduce()
        .setItem()
        .stop(),
      /asks for "posix\.system"/,
    ],
    ['NEWOBJ', new PickleWriter().emptyTuple().emptyTuple().raw(0x81).stop(), /opcode 0x81/],
    ['INST', new PickleWriter().mark().raw(0x69).text('os\nsystem\n').stop(), /opcode 0x69 \('i'\)/],
    [
      'a persistent id that is not a storage',
      new PickleWriter().unicode('module').persId().stop(),
      /persistent id is not a torch storage reference/,
    ],
    [
      'REDUCE on a storage type',
      new PickleWriter().global('torch', 'FloatStorage').emptyTuple().reduce().stop(),
      /calls something other than an allowed tensor rebuild function/,
    ],
  ])('refuses %s', (_, pickle, message) => {
    expect(refused(pickle.bytes()).message).toMatch(message);
  });

  it('refuses legacy non-zip torch pickles with the fix', () => {
    const legacy = new PickleWriter().int(1).stop().bytes();
    expect(() => parseEmbeddingBytes(legacy, 'old.pt')).toThrow(
      /old\.pt: legacy \(pre-1\.6\) torch file format is not supported; load and save it again/,
    );
    const file = path.join(tmp, 'old.bin');
    fs.writeFileSync(file, torchZip('x', legacy).subarray(0, 10));
    expect(() => readEmbeddingFile(file)).toThrow(/corrupt zip archive/);
  });
});
