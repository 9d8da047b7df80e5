/**
 * Child process of the benchmarks: loads one or more models into onnxruntime sessions, runs them and prints
 * one JSON line with timings and memory. Separate processes keep each model's peak RSS (getrusage maxrss,
 * a high-water mark that never goes down) apart from the others' and from the parent's.
 *
 *   tsx tests/bench/sessionProbe.ts <spec.json>
 */
import fs from 'node:fs';
import { z } from 'zod';
import { ort } from '../../server/onnx/sessions';
import { typedArrayFromBytes, type ElementType } from '../../server/onnx/dataTypes';

const FeedSpec = z.object({
  type: z.enum(['float32', 'int64', 'int32']),
  dims: z.array(z.number().int()),
  file: z.string(),
});
export const ProbeSpec = z.object({
  models: z.array(z.object({ label: z.string(), file: z.string(), feeds: z.record(z.string(), FeedSpec) })),
  warmup: z.number().int().min(0),
  runs: z.number().int().min(1),
  threads: z.number().int().min(1),
  optimization: z.enum(['disabled', 'basic', 'extended', 'all']),
  /** Optional ORT profile file prefix (timing only makes sense without it). */
  profilePrefix: z.string().optional(),
});
export type ProbeSpec = z.infer<typeof ProbeSpec>;

export interface ProbeModelResult {
  readonly label: string;
  readonly createMs: number;
  readonly runMs: number[];
  readonly rssBeforeBytes: number;
  readonly rssAfterCreateBytes: number;
  readonly rssAfterRunsBytes: number;
}
export interface ProbeResult {
  readonly models: ProbeModelResult[];
  /** Peak resident set of the whole process (bytes). */
  readonly maxRssBytes: number;
}

function loadFeeds(feeds: ProbeSpec['models'][number]['feeds']): Record<string, ort.Tensor> {
  return Object.fromEntries(
    Object.entries(feeds).map(([name, f]) => {
      const bytes = new Uint8Array(fs.readFileSync(f.file));
      return [
        name,
        new ort.Tensor(f.type, typedArrayFromBytes(f.type as ElementType, bytes) as Float32Array, f.dims),
      ];
    }),
  );
}

async function main(): Promise<void> {
  const spec = ProbeSpec.parse(JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')));
  const loaded: {
    session: ort.InferenceSession;
    feeds: Record<string, ort.Tensor>;
    result: ProbeModelResult;
  }[] = [];
  for (const m of spec.models) {
    const feeds = loadFeeds(m.feeds);
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(m.file, {
      executionProviders: ['cpu'],
      intraOpNumThreads: spec.threads,
      graphOptimizationLevel: spec.optimization,
      ...(spec.profilePrefix
        ? { enableProfiling: true, profileFilePrefix: `${spec.profilePrefix}-${m.label}` }
        : {}),
    });
    const createMs = performance.now() - t0;
    loaded.push({
      session,
      feeds,
      result: {
        label: m.label,
        createMs,
        runMs: [],
        rssBeforeBytes: rssBefore,
        rssAfterCreateBytes: process.memoryUsage().rss,
        rssAfterRunsBytes: 0,
      },
    });
  }
  for (let i = 0; i < spec.warmup; i++) for (const l of loaded) await l.session.run(l.feeds);
  // interleave the models so every one sees the same machine conditions
  for (let i = 0; i < spec.runs; i++) {
    for (const l of loaded) {
      const t = performance.now();
      await l.session.run(l.feeds);
      l.result.runMs.push(performance.now() - t);
    }
  }
  const models: ProbeModelResult[] = [];
  for (const l of loaded) {
    const rssAfterRuns = process.memoryUsage().rss;
    if (spec.profilePrefix) l.session.endProfiling();
    await l.session.release();
    models.push({ ...l.result, rssAfterRunsBytes: rssAfterRuns });
  }
  const result: ProbeResult = { models, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
