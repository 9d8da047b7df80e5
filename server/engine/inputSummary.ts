/** Human-readable summaries of node inputs for `execution_error` (tensor shapes, short values). */

function isTensorLike(
  value: unknown,
): value is { data: ArrayBufferView; shape: readonly number[]; type?: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ArrayBuffer.isView(record.data) && Array.isArray(record.shape);
}

function dtypeOf(data: ArrayBufferView): string {
  const name = data.constructor.name;
  const known: Record<string, string> = {
    Float32Array: 'float32',
    Float64Array: 'float64',
    Float16Array: 'float16',
    Int32Array: 'int32',
    Uint8Array: 'uint8',
    BigInt64Array: 'int64',
    Int8Array: 'int8',
    Uint16Array: 'uint16',
  };
  return known[name] ?? name;
}

/** One value as a short string, e.g. `tensor float32 [1, 512, 512, 3]` or `"a photo of…"`. */
export function summarizeValue(value: unknown): string {
  if (isTensorLike(value)) return `tensor ${dtypeOf(value.data)} [${value.shape.join(', ')}]`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 200 ? `${value.slice(0, 197)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  if (Array.isArray(value)) {
    const items = value.slice(0, 4).map(summarizeValue);
    return `list(${value.length}) [${items.join(', ')}${value.length > 4 ? ', …' : ''}]`;
  }
  if (typeof value === 'object') {
    const ctor = value.constructor?.name;
    const keys = Object.keys(value).slice(0, 6);
    return `${ctor && ctor !== 'Object' ? ctor : 'object'} {${keys.join(', ')}}`;
  }
  return typeof value;
}

/** `{input name: [summary]}` like ComfyUI's `current_inputs`: strings as they are (shortened), no quotes. */
export function summarizeInputs(inputs: Record<string, unknown>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [
      name,
      [
        typeof value === 'string'
          ? value.length > 200
            ? `${value.slice(0, 197)}...`
            : value
          : summarizeValue(value),
      ],
    ]),
  );
}
