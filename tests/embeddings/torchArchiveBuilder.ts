/**
 * Test-side writer of protocol-2 pickles and torch-style zip archives, to craft both well-formed
 * embeddings (A1111 .pt layouts, fp16 storages, strided views) and malicious archives.
 */
import { zipSync } from 'fflate';

/** Emits pickle opcodes. */
export class PickleWriter {
  private readonly out: number[] = [0x80, 2];

  raw(...bytes: number[]): this {
    this.out.push(...bytes);
    return this;
  }

  text(s: string): this {
    return this.raw(...new TextEncoder().encode(s));
  }

  /** GLOBAL module\nname\n */
  global(module: string, name: string): this {
    return this.raw(0x63).text(`${module}\n${name}\n`);
  }

  /** STACK_GLOBAL from two strings on the stack. */
  stackGlobal(module: string, name: string): this {
    return this.unicode(module).unicode(name).raw(0x93);
  }

  unicode(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.raw(0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0, ...b);
  }

  int(n: number): this {
    if (n >= 0 && n < 256) return this.raw(0x4b, n);
    if (n >= 0 && n < 65536) return this.raw(0x4d, n & 0xff, n >> 8);
    const b = new Uint8Array(new Int32Array([n]).buffer);
    return this.raw(0x4a, ...b);
  }

  mark = () => this.raw(0x28);
  tuple = () => this.raw(0x74);
  emptyTuple = () => this.raw(0x29);
  emptyDict = () => this.raw(0x7d);
  setItem = () => this.raw(0x73);
  setItems = () => this.raw(0x75);
  reduce = () => this.raw(0x52);
  persId = () => this.raw(0x51);
  bool = (v: boolean) => this.raw(v ? 0x88 : 0x89);
  stop = () => this.raw(0x2e);

  /** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())` on the stack. */
  tensor(
    storageType: string,
    key: string,
    numel: number,
    offset: number,
    size: number[],
    stride: number[],
  ): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark()
      .unicode('storage')
      .global('torch', storageType)
      .unicode(key)
      .unicode('cpu')
      .int(numel)
      .tuple()
      .persId();
    this.int(offset).mark();
    size.forEach((d) => this.int(d));
    this.tuple().mark();
    stride.forEach((d) => this.int(d));
    this.tuple().bool(false).global('collections', 'OrderedDict').emptyTuple().reduce();
    return this.tuple().reduce();
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** A torch.save-style zip: `<prefix>/data.pkl`, `<prefix>/data/<key>`, version and byteorder, stored. */
export function torchZip(
  prefix: string,
  pickle: Uint8Array,
  storages: Record<string, Uint8Array> = {},
): Uint8Array {
  const files: Record<string, Uint8Array> = {
    [`${prefix}/data.pkl`]: pickle,
    [`${prefix}/byteorder`]: new TextEncoder().encode('little'),
    [`${prefix}/version`]: new TextEncoder().encode('3\n'),
  };
  for (const [key, data] of Object.entries(storages)) files[`${prefix}/data/${key}`] = data;
  return zipSync(files, { level: 0 });
}
