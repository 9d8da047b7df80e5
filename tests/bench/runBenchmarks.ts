/**
 * `npm run bench [-- name...]`: runs the registered benchmarks (all, or those named), writes
 * bench-results/<name>.json for each and prints a summary with every target's verdict. Benchmarks are
 * measurements, not tests: the exit code is non-zero only when a benchmark crashes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync } from '../../server/storage/atomicWrite';
import type { Benchmark, BenchResult } from './benchmark';
import { autodiffBenchmark } from './autodiffBench';
import { trainingStepBenchmark } from './trainingStepBench';
import { toyWorldBenchmark } from './toyWorldBench';
import { tiLearningBenchmark } from './tiLearningBench';
import { queueBenchmark } from './queueBench';
import { realSizeBenchmark } from './realSizeBench';
import { referenceDir } from '../support/referenceData';

/** Every benchmark, in run order; add new modules here. */
export const BENCHMARKS: readonly Benchmark[] = [
  autodiffBenchmark,
  trainingStepBenchmark,
  toyWorldBenchmark,
  tiLearningBenchmark,
  queueBenchmark,
  realSizeBenchmark,
];

const repoRoot = path.resolve(import.meta.dirname, '../..');
const outDir = path.join(repoRoot, 'bench-results');

function describeResult(b: Benchmark, result: BenchResult): string[] {
  const lines = [`== ${b.name}: ${b.description}`, ...result.summary.map((l) => `   ${l}`)];
  for (const t of result.targets) {
    lines.push(
      `   [${t.value <= t.limit ? 'PASS' : 'MISS'}] ${t.name}: ${t.value.toFixed(3)} (target ≤ ${t.limit})`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.name === w));
  if (unknown.length) {
    throw new Error(
      `unknown benchmark ${unknown.join(', ')}; available: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
    );
  }
  const selected = wanted.length
    ? BENCHMARKS.filter((b) => wanted.includes(b.name))
    : BENCHMARKS.filter((b) => !b.onRequest);
  fs.mkdirSync(outDir, { recursive: true });
  const printed: string[] = [];
  let failed = false;
  for (const b of selected) {
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${b.name}-`));
    const started = Date.now();
    try {
      const result = await b.run({
        repoRoot,
        tmpDir,
        log: (m) => process.stderr.write(`[${b.name}] ${m}\n`),
      });
      const file = path.join(outDir, `${b.name}.json`);
      const record = {
        benchmark: b.name,
        description: b.description,
        date: new Date().toISOString(),
        referenceDir,
        machine: {
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model ?? 'unknown',
          totalMemBytes: os.totalmem(),
          node: process.version,
        },
        wallSeconds: (Date.now() - started) / 1000,
        targets: result.targets.map((t) => ({ ...t, pass: t.value <= t.limit })),
        ...result.data,
      };
      writeFileAtomicSync(file, JSON.stringify(record, null, 2) + '\n');
      printed.push(...describeResult(b, result), `   → ${path.relative(repoRoot, file)}`);
    } catch (error) {
      failed = true;
      printed.push(`== ${b.name}: FAILED — ${(error as Error).stack ?? String(error)}`);
    } finally {
      fs.rmSync(tmpDir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${printed.join('\n')}\n`);
  if (failed) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 2;
}
