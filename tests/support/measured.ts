/** Wall time and memory of one piece of work, printed for the record (tests never assert on them). */

/** Runs `work`, printing its wall time, the resident-memory change and the process's peak RSS so far. */
export async function measured<T>(label: string, work: () => T | Promise<T>): Promise<T> {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const before = process.memoryUsage().rss;
  const start = performance.now();
  const result = await work();
  const ms = performance.now() - start;
  const after = process.memoryUsage().rss;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    `[measure] ${label}: ${ms.toFixed(0)} ms, rss ${mib(after)} MiB (${after >= before ? '+' : ''}${mib(after - before)}), peak ${mib(peak)} MiB`,
  );
  return result;
}
