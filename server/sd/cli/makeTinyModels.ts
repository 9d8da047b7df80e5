/**
 * `npm run models:tiny [-- --family sd1|sd2|all] [--models-dir DIR]`: creates the embedded tiny models that
 * are missing (SD 1.x checkpoint + tokenizer, the scoring CLIP and the demo embedding by default;
 * `--family sd2` the SD 2.x checkpoint, `all` both). Existing files are never overwritten. Prints what was written, with the wall
 * time and the process's peak resident memory after each model.
 */
import path from 'node:path';
import { makeTinyCheckpoint, makeTinyClip, makeTinyDemoEmbedding, type TinyResult } from '../tiny/tinyModels';
import type { ModelFamily } from '../weights/modelFamily';

const USAGE = `usage: npm run models:tiny -- [--family sd1|sd2|all] [--models-dir DIR] [--no-clip]
  --family      which tiny checkpoint(s) to make (default sd1)
  --models-dir  the studio's models folder (default ./models)
  --no-clip     skip the tiny scoring CLIP`;

interface Args {
  families: ModelFamily[];
  modelsDir: string;
  clip: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { families: ['sd1'], modelsDir: 'models', clip: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--family') {
      const v = value();
      if (v !== 'sd1' && v !== 'sd2' && v !== 'all')
        throw new Error(`unknown family "${v}"; expected sd1, sd2 or all`);
      args.families = v === 'all' ? ['sd1', 'sd2'] : [v];
    } else if (flag === '--models-dir') args.modelsDir = value();
    else if (flag === '--no-clip') args.clip = false;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown flag "${flag}"\n${USAGE}`);
  }
  return args;
}

async function timed(label: string, make: () => Promise<TinyResult>): Promise<void> {
  const start = performance.now();
  const result = await make();
  const ms = performance.now() - start;
  const peak = (process.resourceUsage().maxRSS / 1024).toFixed(0);
  for (const file of result.created) console.log(`created ${file}`);
  for (const file of result.kept) console.log(`kept    ${file} (exists)`);
  console.log(`${label}: ${ms.toFixed(0)} ms, peak RSS ${peak} MiB`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const modelsDir = path.resolve(args.modelsDir);
  for (const family of args.families)
    await timed(`tiny ${family}`, () => makeTinyCheckpoint(modelsDir, family));
  if (args.clip) await timed('tiny clip', () => makeTinyClip(modelsDir));
  if (args.families.includes('sd1'))
    await timed('tiny demo embedding', () => makeTinyDemoEmbedding(modelsDir));
}

main().catch((error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
