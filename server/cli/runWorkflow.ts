/** `npm run workflow -- FILE.json [--out DIR] [--data-dir DIR] [--models-dir DIR] [--execution-provider P]` */
import { type ExecutionProviderChoice, consoleLogger } from '../config';
import { runWorkflowFile } from './workflowRunner';

const USAGE = `Usage: npm run workflow -- FILE [--out DIR] [--data-dir DIR] [--models-dir DIR] [--execution-provider auto|cuda|cpu]
  FILE: a UI workflow (.json from the canvas), an API prompt (.json), or a PNG saved by SaveImage.`;

function parse(argv: string[]): {
  file: string;
  out?: string;
  dataDir?: string;
  modelsDir?: string;
  provider?: ExecutionProviderChoice;
} {
  const result: {
    file?: string;
    out?: string;
    dataDir?: string;
    modelsDir?: string;
    provider?: ExecutionProviderChoice;
  } = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value\n\n${USAGE}`);
      i += 1;
      return next;
    };
    if (arg === '--out') result.out = value();
    else if (arg === '--data-dir') result.dataDir = value();
    else if (arg === '--models-dir') result.modelsDir = value();
    else if (arg === '--execution-provider') {
      const p = value();
      if (p !== 'auto' && p !== 'cuda' && p !== 'cpu')
        throw new Error(`--execution-provider ${p}: expected auto, cuda or cpu`);
      result.provider = p;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith('--')) throw new Error(`unknown flag ${arg}\n\n${USAGE}`);
    else if (result.file === undefined) result.file = arg;
    else throw new Error(`unexpected argument ${arg}; give one workflow file\n\n${USAGE}`);
  }
  if (!result.file) throw new Error(USAGE);
  return { ...result, file: result.file };
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const result = await runWorkflowFile(
    args.file,
    {
      outDir: args.out,
      dataDir: args.dataDir,
      modelsDir: args.modelsDir,
      executionProvider: args.provider,
      logger: consoleLogger,
      signal: controller.signal,
    },
    (line) => console.log(line),
  );
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
