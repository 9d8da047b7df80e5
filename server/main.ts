/** `npm start`: parse flags, build the client if stale, start the studio, stop cleanly on Ctrl+C. */
import { consoleLogger, parseCliArgs, USAGE } from './config';
import { ensureClientBuilt } from './clientBuild';
import { startStudio } from './studio';

async function main(): Promise<void> {
  const options = parseCliArgs(process.argv.slice(2));
  options.secret ??= process.env.STUDIO_SECRET;
  if (options.help) {
    console.log(USAGE);
    return;
  }
  await ensureClientBuilt({ log: consoleLogger });
  const studio = await startStudio({ ...options, serveClient: true, logger: consoleLogger });
  console.log(
    `Inversion Studio is running at ${studio.url} (execution provider: ${studio.executionProvider})`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal}: stopping (pending prompts are kept for the next start)…`);
    studio.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  const hint =
    (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? ' (another studio running? pick one with --port)'
      : '';
  console.error(`error: ${message}${hint}`);
  process.exit(1);
});
