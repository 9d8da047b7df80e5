/**
 * `npm run models:toy [-- --models-dir DIR] [--work-dir DIR] [--lanes 1|2] [--threads N]`: trains the toy shapes-world
 * models from scratch (two CLIPs, the VAE, the UNet) with the project's own autodiff, showing a progress bar
 * and the loss of each stage, and writes models/checkpoints/toy-shapes.safetensors (+ tokenizer), its SD 2.x
 * twin toy-shapes-sd2.safetensors (+ tokenizer) and
 * models/clip/toy-shapes-clip/. With two lanes (the default on 2+ cores) a second process trains the VAE, its
 * decoder and the scoring CLIP meanwhile. Ctrl+C stops after the current step; running it again resumes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runToyPipeline } from '../toy/toyPipeline';
import { writeFileAtomic } from '../../storage/atomicWrite';

const USAGE = `usage: npm run models:toy -- [--models-dir DIR] [--work-dir DIR] [--lanes 1|2] [--threads N]
  --models-dir  where the model files go (default ./models)
  --work-dir    checkpoints and finished stages, for resuming (default <models-dir>/cache/toy-training)
  --lanes       2: a second process trains the VAE, its decoder and the scoring CLIP meanwhile (default
                with 2 or more cores); 1: one process trains every stage in turn. Same weights either way
  --threads     onnxruntime threads per session (default: half the cores with two lanes, else
                onnxruntime's choice)`;

function parseArgs(argv: readonly string[]) {
  const args: { modelsDir: string; workDir?: string; threads?: number; lanes?: 1 | 2 } = {
    modelsDir: 'models',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--models-dir') args.modelsDir = value();
    else if (flag === '--work-dir') args.workDir = value();
    else if (flag === '--lanes') {
      const v = value();
      if (v !== '1' && v !== '2') throw new Error(`--lanes must be 1 or 2, got "${v}"\n${USAGE}`);
      args.lanes = v === '1' ? 1 : 2;
    } else if (flag === '--threads') {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 1) throw new Error(`--threads must be a positive integer\n${USAGE}`);
      args.threads = v;
    } else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown flag "${flag}"\n${USAGE}`);
  }
  return args;
}

function bar(done: number, total: number, width = 30): string {
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const modelsDir = path.resolve(args.modelsDir);
  const workDir = path.resolve(args.workDir ?? path.join(modelsDir, 'cache', 'toy-training'));
  const controller = new AbortController();
  process.on('SIGINT', () => {
    console.error('\nstopping after this step; run again to resume');
    controller.abort();
  });
  const tty = process.stderr.isTTY;
  const lanes = args.lanes ?? (os.availableParallelism() >= 2 ? 2 : 1);
  const threads =
    args.threads ?? (lanes === 2 ? Math.max(1, Math.floor(os.availableParallelism() / 2)) : undefined);
  const started = new Map<string, number>();
  // with two lanes the terminal line shows both: the latest step of each
  const current = new Map<'main' | 'side', string>();
  const wallStart = performance.now();
  console.log(
    `training with ${lanes} lane${lanes === 2 ? 's' : ''}, ${threads ?? 'default'} thread(s) per session`,
  );
  const summary = await runToyPipeline({
    modelsDir,
    workDir,
    threads,
    lanes,
    signal: controller.signal,
    onStep: (stage, r, lane) => {
      if (!started.has(stage)) started.set(stage, performance.now());
      const elapsed = (performance.now() - started.get(stage)!) / 1000;
      if (tty) {
        current.set(
          lane,
          `${stage} ${bar(r.step, r.totalSteps, lanes === 2 ? 12 : 30)} ${r.step}/${r.totalSteps} loss ${r.loss.toFixed(4)} ${elapsed.toFixed(0)}s`,
        );
        process.stderr.write(`\r\x1b[K${[...current.values()].join('  |  ')}`);
      } else if (r.step % 50 === 0 || r.step === r.totalSteps) {
        console.log(
          `${stage.padEnd(18)} ${bar(r.step, r.totalSteps)} ${r.step}/${r.totalSteps} loss ${r.loss.toFixed(4)} lr ${r.lr.toExponential(1)} ${elapsed.toFixed(0)}s`,
        );
      }
    },
    onStage: (stage, event, seconds, losses, lane) => {
      if (tty) process.stderr.write('\n');
      current.delete(lane);
      const tail = losses.slice(-50);
      const mean = tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length);
      console.log(
        `${stage}: ${event}${lane === 'side' ? ' by the side lane' : ''} (${seconds === null ? 'training time not recorded' : `${seconds.toFixed(0)} s of training`}, ${losses.length} steps, mean loss of the last 50 ${mean.toFixed(4)})`,
      );
    },
  });
  const wallClockSeconds = Math.round((performance.now() - wallStart) / 1000);
  if (summary.interrupted) {
    console.log(`interrupted; checkpoints are in ${workDir}: run again to resume`);
    process.exitCode = 130;
    return;
  }
  const report = path.join(modelsDir, 'toy-training.json');
  const stages = Object.fromEntries(
    Object.entries(summary.stages).map(([k, v]) => [
      k,
      {
        seconds: v.seconds === null ? null : Math.round(v.seconds),
        steps: v.steps,
        firstLoss: v.firstLoss,
        lastLoss: v.lastLoss,
        meanLossLast50: v.losses.slice(-50).reduce((a, b) => a + b, 0) / Math.min(50, v.losses.length),
      },
    ]),
  );
  await writeFileAtomic(
    report,
    `${JSON.stringify({ scalingFactor: summary.scalingFactor, lanes, threads: threads ?? null, wallClockSeconds, stages }, null, 2)}\n`,
  );
  console.log(`wall clock of this run: ${wallClockSeconds} s (${lanes} lane${lanes === 2 ? 's' : ''})`);
  for (const f of [...summary.files, report])
    console.log(`wrote ${path.relative(process.cwd(), f)}${fs.statSync(f).isDirectory() ? '/' : ''}`);
}

main().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
});
