/**
 * A pickle reader that never runs code. It interprets the opcodes of `torch.save` pickles as data and
 * allows exactly the callables needed to rebuild tensors — `torch._utils._rebuild_tensor_v2` (and
 * `_rebuild_parameter`), `torch.*Storage` classes named in persistent ids, and `collections.OrderedDict` —
 * which it evaluates itself. Any other global (e.g. `os.system`) is refused at the GLOBAL opcode, before
 * anything could call it, with an error naming it.
 */

/** A Python tuple. */
export class PickleTuple {
  constructor(readonly items: PickleValue[]) {}
}

/** A Python dict (or OrderedDict), insertion-ordered. */
export class PickleDict {
  readonly entries: Array<[PickleValue, PickleValue]> = [];
  set(key: PickleValue, value: PickleValue): void {
    const i = this.entries.findIndex(([k]) => k === key);
    if (i >= 0) this.entries[i] = [key, value];
    else this.entries.push([key, value]);
  }
  get(key: string | number): PickleValue | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }
  /** String keys, in order. */
  keys(): string[] {
    return this.entries.map(([k]) => k).filter((k): k is string => typeof k === 'string');
  }
}

/** A storage named by a persistent id: `('storage', torch.FloatStorage, key, location, numel)`. */
export class StorageRef {
  constructor(
    readonly storageType: string,
    readonly key: string,
    readonly location: string,
    readonly numel: number,
  ) {}
}

/** A tensor view of a storage, as `_rebuild_tensor_v2(storage, offset, size, stride, …)` describes it. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** An allowed global, kept until REDUCE applies it. */
class AllowedGlobal {
  constructor(readonly name: string) {}
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | PickleDict
  | StorageRef
  | TensorRef
  | AllowedGlobal;

const STORAGE_TYPES = new Set(
  ['Float', 'Half', 'BFloat16', 'Double', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool'].map(
    (t) => `torch.${t}Storage`,
  ),
);
const CALLABLES = new Set([
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'collections.OrderedDict',
]);

/** Thrown for pickles that ask for anything beyond tensor data. */
export class UnsafePickleError extends Error {}

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

function asInt(v: PickleValue, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`pickle: ${what} must be an integer`);
}

function intList(v: PickleValue, what: string): number[] {
  if (!(v instanceof PickleTuple) && !Array.isArray(v))
    throw new Error(`pickle: ${what} must be a tuple of integers`);
  return (v instanceof PickleTuple ? v.items : v).map((x) => asInt(x, what));
}

/** Evaluates an allowed callable on its argument tuple. */
function call(fn: AllowedGlobal, args: PickleValue[]): PickleValue {
  switch (fn.name) {
    case 'collections.OrderedDict':
      if (args.length > 0)
        throw new UnsafePickleError('pickle: OrderedDict with constructor arguments is not supported');
      return new PickleDict();
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, size, stride] = args;
      if (!(storage instanceof StorageRef))
        throw new Error('pickle: _rebuild_tensor_v2 expects a storage first');
      return new TensorRef(
        storage,
        asInt(offset ?? null, 'storage offset'),
        intList(size ?? null, 'size'),
        intList(stride ?? null, 'stride'),
      );
    }
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state':
      if (!(args[0] instanceof TensorRef)) throw new Error('pickle: _rebuild_parameter expects a tensor');
      return args[0];
  }
  throw new UnsafePickleError(`pickle: "${fn.name}" cannot be called`);
}

function refuseGlobal(name: string, source: string): never {
  throw new UnsafePickleError(
    `refusing to load ${source}: its pickle asks for "${name}", but only tensor data is allowed ` +
      `(torch._utils._rebuild_tensor_v2, torch.*Storage, collections.OrderedDict). The file may be malicious or is not an embedding.`,
  );
}

/** Interprets `data` (a pickle) without executing code; `source` names the file in errors. */
export function unpickle(data: Uint8Array, source: string): PickleValue {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const text = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > data.byteLength) throw new Error(`${source}: pickle ends unexpectedly at byte ${pos}`);
  };
  const u8 = () => (need(1), data[pos++]!);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => (need(8), (pos += 8), Number(view.getBigUint64(pos - 8, true)));
  const bytes = (n: number) => (need(n), (pos += n), data.subarray(pos - n, pos));
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw new Error(`${source}: pickle ends inside a text argument`);
    const s = latin1.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new Error(`${source}: pickle stack underflow at byte ${pos}`);
    return v;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new Error(`${source}: pickle stack underflow at byte ${pos}`);
    return v;
  };
  const popMark = (): PickleValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new Error(`${source}: pickle MARK missing at byte ${pos}`);
    const items = stack.splice(i) as PickleValue[];
    items.shift();
    return items;
  };
  const resolveGlobal = (module: string, name: string): PickleValue => {
    const full = `${module}.${name}`;
    if (CALLABLES.has(full)) return new AllowedGlobal(full);
    if (STORAGE_TYPES.has(full)) return full;
    return refuseGlobal(full, source);
  };
  const long = (raw: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
    if (raw.length > 0 && raw[raw.length - 1]! & 0x80) v -= 1n << BigInt(raw.length * 8);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  for (;;) {
    const op = u8();
    // one opcode per line reads as the table it is
    // prettier-ignore
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME
      case 0x2e: return pop(); // STOP
      case 0x28: stack.push(MARK); break;
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: stack.push(long(bytes(u8()))); break; // LONG1
      case 0x8b: stack.push(long(bytes(u32()))); break; // LONG4
      case 0x49: { const s = line(); stack.push(s === '00' ? false : s === '01' ? true : parseInt(s, 10)); break; } // INT
      case 0x4c: stack.push(parseInt(line().replace(/L$/, ''), 10)); break; // LONG
      case 0x47: need(8); pos += 8; stack.push(view.getFloat64(pos - 8, false)); break; // BINFLOAT
      case 0x46: stack.push(parseFloat(line())); break; // FLOAT
      case 0x58: stack.push(text.decode(bytes(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(text.decode(bytes(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text.decode(bytes(u64()))); break; // BINUNICODE8
      case 0x55: stack.push(latin1.decode(bytes(u8()))); break; // SHORT_BINSTRING
      case 0x54: stack.push(latin1.decode(bytes(u32()))); break; // BINSTRING
      case 0x43: stack.push(bytes(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(bytes(u32()).slice()); break; // BINBYTES
      case 0x8e: stack.push(bytes(u64()).slice()); break; // BINBYTES8
      case 0x29: stack.push(new PickleTuple([])); break; // EMPTY_TUPLE
      case 0x85: stack.push(new PickleTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push(new PickleTuple([pop(), b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push(new PickleTuple([pop(), b, c])); break; } // TUPLE3
      case 0x74: stack.push(new PickleTuple(popMark())); break; // TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x7d: stack.push(new PickleDict()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const d = new PickleDict(); for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i]!, items[i + 1]!); stack.push(d); break; } // DICT
      case 0x61: { const v = pop(); const list = top(); if (!Array.isArray(list)) throw new Error(`${source}: APPEND to a non-list`); list.push(v); break; }
      case 0x65: { const items = popMark(); const list = top(); if (!Array.isArray(list)) throw new Error(`${source}: APPENDS to a non-list`); list.push(...items); break; }
      case 0x73: { const v = pop(); const k = pop(); const d = top(); if (!(d instanceof PickleDict)) throw new Error(`${source}: SETITEM on a non-dict`); d.set(k, v); break; }
      case 0x75: { const items = popMark(); const d = top(); if (!(d instanceof PickleDict)) throw new Error(`${source}: SETITEMS on a non-dict`); for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i]!, items[i + 1]!); break; }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x70: memo.set(parseInt(line(), 10), top()); break; // PUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        const key = op === 0x68 ? u8() : op === 0x6a ? u32() : parseInt(line(), 10);
        if (!memo.has(key)) throw new Error(`${source}: pickle memo ${key} is undefined`);
        stack.push(memo.get(key)!);
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x63: { const module = line(); stack.push(resolveGlobal(module, line())); break; } // GLOBAL
      case 0x93: { const name = pop(); const module = pop(); stack.push(resolveGlobal(String(module), String(name))); break; } // STACK_GLOBAL
      case 0x51: { // BINPERSID
        const pid = pop();
        const items = pid instanceof PickleTuple ? pid.items : [];
        if (items[0] !== 'storage' || typeof items[1] !== 'string' || !STORAGE_TYPES.has(items[1])) {
          throw new UnsafePickleError(`refusing to load ${source}: persistent id is not a torch storage reference`);
        }
        stack.push(new StorageRef(items[1], String(items[2]), String(items[3]), asInt(items[4] ?? null, 'storage size')));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof AllowedGlobal) || !(args instanceof PickleTuple)) {
          throw new UnsafePickleError(`refusing to load ${source}: pickle calls something other than an allowed tensor rebuild function`);
        }
        stack.push(call(fn, args.items));
        break;
      }
      case 0x62: { // BUILD: only attribute state on dicts (state_dict's _metadata), which is dropped
        const state = pop();
        const target = top();
        if (!(target instanceof PickleDict) || !(state instanceof PickleDict || state === null)) {
          throw new UnsafePickleError(`refusing to load ${source}: pickle sets object state (BUILD) on a non-dict`);
        }
        break;
      }
      default:
        throw new UnsafePickleError(
          `refusing to load ${source}: pickle opcode 0x${op.toString(16).padStart(2, '0')} ('${String.fromCharCode(op)}') at byte ${pos - 1} is not allowed in tensor files`,
        );
    }
  }
}
