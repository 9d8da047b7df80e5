/**
 * Issue 14 (fuzz): random methods, routes, names, query strings, headers and bodies against every route
 * of a real studio. Every answer is < 500, an error is JSON `{error: {type, ...}}`, no answer shows an
 * absolute server path or a stack trace, the server stays up, and the saved outputs, embeddings,
 * checkpoints and history entries are unchanged. Bounded: a fixed number of runs, well under a minute.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot } from '../../server/config';
import { listFilesRecursive } from '../../server/storage/listFiles';
import { startTestStudio } from '../support/testStudio';
import { queuePrompt, type TestStudio, waitForHistory } from '../support/trainingStudio';

let studio: TestStudio;
let saved: Map<string, string>;
let historyBefore: string;

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Hashes of every file under output/ and models/ (what a request must never destroy). */
async function savedFiles(): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const root of [studio.dirs.output, studio.dirs.models]) {
    for (const file of await listFilesRecursive(root)) {
      hashes.set(path.join(root, file), sha(await readFile(path.join(root, file))));
    }
  }
  return hashes;
}

beforeAll(async () => {
  studio = await startTestStudio({ maxUploadBytes: 256 * 1024 });
  const id = await queuePrompt(studio, {
    '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 255 } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'kept' } },
  });
  await waitForHistory(studio, id);
  await mkdir(path.join(studio.dirs.models, 'embeddings'), { recursive: true });
  await writeFile(path.join(studio.dirs.models, 'embeddings', 'kept.safetensors'), 'embedding bytes');
  const checkpoint = path.join(studio.dirs.output, 'textual_inversion', 'kept-0123456789ab');
  await mkdir(checkpoint, { recursive: true });
  await writeFile(path.join(checkpoint, 'checkpoint.json'), '{"step": 400}');
  await mkdir(path.join(studio.dirs.input, 'ti-examples'), { recursive: true });
  saved = await savedFiles();
  historyBefore = JSON.stringify(studio.history.list());
});
afterAll(async () => {
  await studio.close();
});

const nasty = fc.constantFrom(
  '..',
  '../..',
  '%2e%2e',
  '..%2f..%2fetc',
  '/etc/passwd',
  'C:\\Windows',
  'a\u0000b',
  'ti-examples',
  'history.jsonl',
  'kept_00001_.png',
  'kept.safetensors',
  'textual_inversion',
  'a'.repeat(255),
  '\u{20000}'.repeat(64),
  '%',
  '%E0%A4%A',
  'con',
  '.hidden',
  ' ',
  '',
);
const name = fc.oneof(nasty, fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
const segment = name.map((s) => encodeURIComponent(s));
const rawSegment = fc.oneof(
  segment,
  nasty.filter((s) => !s.includes('\u0000') && !s.includes('%')),
);

const routes = fc.oneof(
  fc.constantFrom(
    '/prompt',
    '/queue',
    '/history',
    '/interrupt',
    '/object_info',
    '/embeddings',
    '/models',
    '/system_stats',
    '/view',
    '/upload/image',
    '/api/workflows',
    '/free',
    '/extensions',
    '/settings',
    '/userdata',
    '/internal/logs',
    '/internal/logs/raw',
  ),
  fc
    .tuple(
      fc.constantFrom(
        '/history/',
        '/object_info/',
        '/models/',
        '/api/workflows/',
        '/settings/',
        '/userdata/',
        '/view_metadata/',
        '/',
      ),
      rawSegment,
    )
    .map(([base, s]) => base + s),
);

const query = fc
  .dictionary(
    fc.constantFrom(
      'filename',
      'subfolder',
      'type',
      'dir',
      'max_items',
      'offset',
      'overwrite',
      'recurse',
      'full_info',
      'clientId',
    ),
    name,
    { maxKeys: 4 },
  )
  .map((q) => new URLSearchParams(q).toString());

/** A body that never asks to clear or delete (legitimate, destructive requests are not fuzz). */
const jsonValue = fc
  .jsonValue({ maxDepth: 3 })
  .filter(
    (v) => !(typeof v === 'object' && v !== null && !Array.isArray(v) && ('clear' in v || 'delete' in v)),
  );

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; type: string; text: string }
  | { kind: 'form'; files: [string, Uint8Array][]; fields: [string, string][] };

const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant<Body>({ kind: 'none' }),
  jsonValue.map<Body>((value) => ({ kind: 'json', value })),
  fc
    .record({
      type: fc.constantFrom(
        'application/json',
        'multipart/form-data; boundary=zz',
        'multipart/form-data',
        'text/plain',
        'application/x-www-form-urlencoded',
        'image/png',
      ),
      text: fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.constantFrom(
          '{"prompt": 1e999}',
          '{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 16384, "height": 16384, "batch_size": 4096, "color": 0}}}}',
          '--zz\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\n\r\nabc',
        ),
      ),
    })
    .map<Body>(({ type, text }) => ({ kind: 'text', type, text })),
  fc
    .record({
      files: fc.array(fc.tuple(name, fc.uint8Array({ maxLength: 64 })), { maxLength: 3 }),
      fields: fc.array(fc.tuple(fc.constantFrom('type', 'subfolder', 'overwrite', 'image', 'x'), name), {
        maxLength: 4,
      }),
    })
    .map<Body>(({ files, fields }) => ({ kind: 'form', files, fields })),
);

const headers = fc.record(
  {
    origin: fc.constantFrom('http://evil.example', 'null', 'http://127.0.0.1', 'garbage'),
    'x-extra': fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  },
  { requiredKeys: [] },
);

function encodeBody(b: Body): { body?: BodyInit; type?: string } {
  if (b.kind === 'json') return { body: JSON.stringify(b.value) ?? 'null', type: 'application/json' };
  if (b.kind === 'text') return { body: b.text, type: b.type };
  if (b.kind === 'form') {
    const form = new FormData();
    for (const [fileName, bytes] of b.files)
      form.append('image', new Blob([Uint8Array.from(bytes)]), fileName || 'x');
    for (const [key, value] of b.fields) form.append(key, value);
    return { body: form };
  }
  return {};
}

const STACK = /\n\s+at |\bat .*\.(ts|js):\d+/;

it('no 5xx, JSON errors, no paths or stacks, server alive, nothing saved lost', async () => {
  const leaks = (): string[] => [studio.root, repoRoot];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
      routes,
      query,
      body,
      headers,
      fc.boolean(),
      async (method, route, search, b, extra, apiPrefix) => {
        const url = `${studio.url}${apiPrefix && !route.startsWith('/api') ? '/api' : ''}${route}${search ? `?${search}` : ''}`;
        const encoded = method === 'GET' || method === 'OPTIONS' ? {} : encodeBody(b);
        const requestHeaders: Record<string, string> = {};
        if (encoded.type) requestHeaders['content-type'] = encoded.type;
        if (extra.origin) requestHeaders.origin = extra.origin;
        if (extra['x-extra']) requestHeaders['x-extra'] = extra['x-extra'];
        let response: Response;
        try {
          response = await fetch(url, { method, headers: requestHeaders, body: encoded.body });
        } catch {
          return; // the client refused to build the request (bad URL): nothing reached the server
        }
        const text = await response.text();
        expect(response.status, `${method} ${url}: ${text.slice(0, 300)}`).toBeLessThan(500);
        for (const leak of leaks()) expect(text, `${method} ${url}`).not.toContain(leak);
        expect(text).not.toMatch(STACK);
        if (response.status >= 400) {
          const parsed = JSON.parse(text) as { error?: { type?: unknown; message?: unknown } };
          expect(typeof parsed.error?.type, `${method} ${url}: ${text.slice(0, 200)}`).toBe('string');
        }
        expect((await fetch(`${studio.url}/queue`)).status).toBe(200);
      },
    ),
    { numRuns: 1500, interruptAfterTimeLimit: 40_000 },
  );
  await studio.history.flush();
  const after = await savedFiles();
  for (const [file, hash] of saved) expect(after.get(file), file).toBe(hash);
  const historyNow = studio.history.list();
  for (const [id, entry] of Object.entries(JSON.parse(historyBefore) as Record<string, unknown>))
    expect(historyNow[id], id).toEqual(entry);
}, 90_000);
