/**
 * The contract between the bench runner and one benchmark module. A benchmark measures, returns plain JSON
 * data plus summary lines and target checks; the runner writes bench-results/<name>.json and prints.
 */
export interface BenchContext {
  readonly repoRoot: string;
  /** A scratch folder removed after the benchmark. */
  readonly tmpDir: string;
  /** Progress line on stderr (results go to the summary). */
  readonly log: (message: string) => void;
}

export interface BenchTarget {
  readonly name: string;
  readonly value: number;
  /** The value must be at most this. */
  readonly limit: number;
}

export interface BenchResult {
  /** Human-readable result lines for the printed summary. */
  readonly summary: readonly string[];
  readonly targets: readonly BenchTarget[];
  /** Everything measured, written as JSON. */
  readonly data: Record<string, unknown>;
}

export interface Benchmark {
  /** File name stem of the JSON result and the name to select it on the command line. */
  readonly name: string;
  readonly description: string;
  /** Runs only when named on the command line (too heavy for a plain `npm run bench`). */
  readonly onRequest?: boolean;
  run(context: BenchContext): Promise<BenchResult>;
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
