/**
 * A worker shares no file system with the server. Before a prompt it mirrors the server's folders it
 * reads (inputs, embeddings, a training run's checkpoints) by size and modification time; while and after
 * a prompt runs it uploads every file the prompt created or changed in the folders it writes.
 */
import { readFile, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { WorkerFolder } from '../../protocol/workerMessages';
import { writeFileAtomic } from '../storage/atomicWrite';
import { listFilesRecursive } from '../storage/listFiles';
import { resolveInside } from '../storage/safePath';
import type { ServerChannel } from './serverChannel';

export interface FolderRoots {
  root(folder: WorkerFolder): string;
}

/** Copies the server's files of `folder` (under `under`) that the worker lacks or has in another version. */
export async function mirrorFromServer(
  channel: ServerChannel,
  roots: FolderRoots,
  folder: WorkerFolder,
  under = '',
): Promise<number> {
  let copied = 0;
  for (const entry of await channel.manifest(folder, under)) {
    const local = resolveInside(roots.root(folder), entry.path);
    if (!local) continue;
    const info = await stat(local).catch(() => null);
    if (info && info.size === entry.size && Math.abs(info.mtimeMs - entry.mtime) < 1) continue;
    await writeFileAtomic(local, await channel.download(folder, entry.path));
    await utimes(local, new Date(), new Date(entry.mtime));
    copied += 1;
  }
  return copied;
}

/**
 * Remembers each file's version in the written folders; `upload()` sends what changed since. A file the
 * server does not have yet is sent create-only: when another worker already saved that name, the server
 * picks the next free one, and `renamed()` rewrites the file refs the prompt reports to match.
 */
export class OutputUploader {
  private readonly seen = new Map<string, string>();
  private readonly onServer = new Set<string>();
  /** `folder/path` here → file name on the server, where they differ. */
  private readonly renames = new Map<string, string>();

  constructor(
    private readonly channel: ServerChannel,
    private readonly roots: FolderRoots,
    private readonly folders: readonly WorkerFolder[] = ['output', 'temp', 'embeddings'],
  ) {}

  private async versions(): Promise<Map<string, { folder: WorkerFolder; rel: string; version: string }>> {
    const found = new Map<string, { folder: WorkerFolder; rel: string; version: string }>();
    for (const folder of this.folders) {
      const root = this.roots.root(folder);
      for (const rel of await listFilesRecursive(root)) {
        const info = await stat(path.join(root, rel)).catch(() => null);
        if (info) found.set(`${folder}/${rel}`, { folder, rel, version: `${info.size}:${info.mtimeMs}` });
      }
    }
    return found;
  }

  /** Takes the current files as already on the server (at startup, and after mirroring). */
  async markCurrent(): Promise<void> {
    for (const [key, { version }] of await this.versions()) {
      this.seen.set(key, version);
      this.onServer.add(key);
    }
  }

  /** Uploads new and changed files; returns their `folder/path`s. */
  async upload(): Promise<string[]> {
    const sent: string[] = [];
    for (const [key, { folder, rel, version }] of await this.versions()) {
      if (this.seen.get(key) === version) continue;
      const data = await readFile(path.join(this.roots.root(folder), rel));
      const renamed = this.renames.get(key);
      const target = renamed ? [...rel.split('/').slice(0, -1), renamed].join('/') : rel;
      const name = await this.channel.upload(folder, target, data, !this.onServer.has(key));
      if (name !== path.posix.basename(target)) this.renames.set(key, name);
      this.onServer.add(key);
      this.seen.set(key, version);
      sent.push(key);
    }
    return sent;
  }

  /** `value` with every `{filename, subfolder, type}` ref to a renamed upload pointing at its server name. */
  renamed<T>(value: T): T {
    if (this.renames.size === 0) return value;
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (typeof v !== 'object' || v === null) return v;
      const record = Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
      const { filename, subfolder, type } = record;
      if (typeof filename !== 'string' || typeof type !== 'string') return record;
      const rel = typeof subfolder === 'string' && subfolder ? `${subfolder}/${filename}` : filename;
      const name = this.renames.get(`${type === 'embeddings' ? 'embeddings' : type}/${rel}`);
      return name ? { ...record, filename: name } : record;
    };
    return walk(value) as T;
  }
}
