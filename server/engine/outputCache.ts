/**
 * Output cache keyed by input signature. A node's signature hashes its class, its literal inputs, the
 * signatures (and slots) of the nodes it links to, and its own `isChanged` value, so an unchanged
 * sub-graph is recognised across prompts and a changed widget invalidates exactly its descendants.
 */
import { createHash, randomUUID } from 'node:crypto';
import { asLink } from './promptGraph';
import type { NodeDefinition } from './nodeDefinition';

export interface CachedResult {
  outputs: unknown[];
  ui?: Record<string, unknown[]>;
}

export class OutputCache {
  private readonly entries = new Map<string, CachedResult>();

  get(signature: string): CachedResult | undefined {
    return this.entries.get(signature);
  }

  has(signature: string): boolean {
    return this.entries.has(signature);
  }

  set(signature: string, result: CachedResult): void {
    this.entries.set(signature, result);
  }

  delete(signature: string): void {
    this.entries.delete(signature);
  }

  /** Drops every entry the latest prompt did not use (ComfyUI's "classic" policy). */
  retainOnly(signatures: ReadonlySet<string>): void {
    for (const key of this.entries.keys()) if (!signatures.has(key)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface SignatureInput {
  id: string;
  def: NodeDefinition;
  inputs: Record<string, unknown>;
  /** Result of the node's `isChanged`, or undefined when it has none. */
  changed: unknown;
  /** Signatures of already-signed nodes (its ancestors must be among them). */
  known: ReadonlyMap<string, string>;
}

/** The signature of one node; ancestors must be signed first (dependency order). */
export function nodeSignature({ id, def, inputs, changed, known }: SignatureInput): string {
  const declared = [
    ...Object.keys(def.inputs.required ?? {}),
    ...Object.keys(def.inputs.optional ?? {}),
  ].sort();
  const parts = declared.map((name) => {
    const value = inputs[name];
    const link = asLink(value);
    if (!link) return [name, 'value', value];
    const source = known.get(link[0]);
    if (source === undefined)
      throw new Error(`node ${id} links to ${link[0]}, which has not been signed yet`);
    return [name, 'link', source, link[1]];
  });
  // Output nodes (and nodes that read their own id) keep their identity: two equal SaveImage nodes both save.
  const identity = def.outputNode || Object.values(def.inputs.hidden ?? {}).includes('UNIQUE_ID') ? id : null;
  const changedPart =
    typeof changed === 'number' && Number.isNaN(changed) ? `always:${randomUUID()}` : changed;
  return createHash('sha256')
    .update(stableStringify([def.type, identity, parts, changedPart ?? null]))
    .digest('hex');
}

/** JSON with sorted object keys; typed arrays and other exotic values are rendered deterministically. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return null;
  if (ArrayBuffer.isView(value)) {
    return {
      typed: value.constructor.name,
      sha256: createHash('sha256')
        .update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
        .digest('hex'),
    };
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, normalise(record[key])]),
    );
  }
  return String(value);
}
