/**
 * Child process of the real-size benchmark: one phase on one synthetic checkpoint, printed as one JSON line.
 * A process per phase keeps each phase's peak memory its own; within a phase the kernel's high-water mark
 * (VmHWM) is reset between sub-phases (/proc/self/clear_refs), so build and steps each get their peak.
 *
 *   tsx tests/bench/realSizeProbe.ts train|sample <checkpoint> <cacheDir> <resolution> <steps> <provider>
 */
import fs from 'node:fs';
import path from 'node:path';
import { createImage } from '../../server/image/imageIO';
import type { ProviderChoice } from '../../server/onnx/sessions';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import { frozenLatentEncoder } from '../../server/training/textualInversion/latentEncoder';
import { trainableModelFromFrozen } from '../../server/training/textualInversion/trainableModel';
import { TrainingRun } from '../../server/training/textualInversion/trainingRun';
import { cacheRecord } from '../../server/training/textualInversion/trainingStepCache';
import { trainingStepSession } from '../../server/training/textualInversion/trainingStepSession';

const GiB = 2 ** 30;

/** The process's peak resident memory since the last reset, in GiB (Linux; else the lifetime peak). */
function peakGiB(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return (Number(kb) * 1024) / GiB;
  } catch {
    // not Linux
  }
  return (process.resourceUsage().maxRSS * 1024) / GiB;
}

function resetPeak(): void {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux: peaks stay lifetime peaks
  }
}

const rssGiB = () => process.memoryUsage().rss / GiB;
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

async function train(
  checkpoint: string,
  cacheDir: string,
  resolution: number,
  steps: number,
  provider: ProviderChoice,
) {
  resetPeak();
  const started = performance.now();
  const frozen = await loadFrozenModel(checkpoint, { cacheDir, provider });
  const models = trainableModelFromFrozen(frozen);
  const images = createImage(2, resolution, resolution, 3);
  for (let i = 0; i < images.data.length; i++) images.data[i] = 0.5 + 0.4 * Math.sin(i * 0.013);
  const config = {
    placeholderToken: '<bench-concept>',
    initializerToken: 'cat',
    numVectors: 1,
    template: 'object' as const,
    steps,
    learningRate: 5e-3,
    batchSize: 1,
    resolution,
    seed: 1,
  };
  const run = await TrainingRun.prepare({
    models,
    tokenizer: frozen.newTokenizer(),
    encoder: frozenLatentEncoder(frozen),
    images,
    schedulerConfig: frozen.schedulerConfig,
    config,
    provider,
  });
  const prepareSeconds = (performance.now() - started) / 1000;
  const latent = resolution / 8;
  const session = await trainingStepSession(
    models,
    { batch: 1, numVectors: 1, latentHeight: latent, latentWidth: latent },
    provider,
  );
  const build = session.cacheFolder ? cacheRecord(session.cacheFolder) : undefined;
  const prepare = {
    seconds: round(prepareSeconds, 1),
    stepSessionOrigin: session.origin,
    stepSessionSeconds: round(session.createMs / 1000, 1),
    // the build's own process peak (a child's when built in one), from the cache record
    buildSeconds: typeof build?.builtMs === 'number' ? round(build.builtMs / 1000, 1) : undefined,
    buildPeakGiB: typeof build?.peakRssGiB === 'number' ? round(build.peakRssGiB) : undefined,
    peakGiB: round(peakGiB()),
    rssAfterGiB: round(rssGiB()),
  };
  resetPeak();
  const stepSeconds: number[] = [];
  const graphSeconds: number[] = [];
  const rssAfterStepGiB: number[] = [];
  const losses: number[] = [];
  await run.run({
    onStep: (r) => {
      stepSeconds.push(round(r.stepMs / 1000, 2));
      graphSeconds.push(round(r.graphMs / 1000, 2));
      rssAfterStepGiB.push(round(rssGiB()));
      losses.push(round(r.loss, 5));
      // progress on stderr (the parent passes it through): a long 512 px run shows where it is
      process.stderr.write(
        `real-size probe: step ${stepSeconds.length}/${steps} ${stepSeconds.at(-1)} s, RSS ${rssAfterStepGiB.at(-1)} GiB\n`,
      );
    },
  });
  const stepsPeak = round(peakGiB());
  await frozen.close();
  return {
    prepare,
    steps: { count: steps, stepSeconds, graphSeconds, rssAfterStepGiB, peakGiB: stepsPeak, losses },
  };
}

async function sample(
  checkpoint: string,
  cacheDir: string,
  resolution: number,
  calls: number,
  provider: ProviderChoice,
) {
  resetPeak();
  const frozen = await loadFrozenModel(checkpoint, { cacheDir, provider });
  const tokenizer = frozen.tokenizer();
  const sequence = frozen.info.maxLength;
  const ids = tokenizer.encodeBatch(['', 'a photo of a cat']);
  const latent = resolution / 8;
  const channels = frozen.info.latentChannels;
  const sampleData = Float32Array.from({ length: 2 * channels * latent * latent }, (_, i) =>
    Math.sin(i * 0.37),
  );
  const timings: number[] = [];
  let firstSeconds = 0;
  for (let k = 0; k <= calls; k++) {
    const t = performance.now();
    const text = await frozen.textEncoder(ids, [2, sequence]);
    await frozen.unet(
      { data: sampleData, dims: [2, channels, latent, latent] },
      500 - 10 * k,
      text.lastHiddenState,
    );
    const seconds = (performance.now() - t) / 1000;
    if (k === 0) firstSeconds = seconds;
    else timings.push(round(seconds, 2));
  }
  const result = {
    firstCallSeconds: round(firstSeconds, 1),
    stepSeconds: timings,
    peakGiB: round(peakGiB()),
    rssAfterGiB: round(rssGiB()),
  };
  await frozen.close();
  return result;
}

const [phase, checkpoint, cacheDir, resolution, count, provider] = process.argv.slice(2);
if (!phase || !checkpoint || !cacheDir || !resolution || !count || !provider) {
  throw new Error(
    'usage: realSizeProbe.ts train|sample <checkpoint> <cacheDir> <resolution> <steps> <provider>',
  );
}
fs.mkdirSync(path.resolve(cacheDir), { recursive: true });
const work = phase === 'train' ? train : sample;
const result = await work(
  checkpoint,
  cacheDir,
  Number(resolution),
  Number(count),
  provider as ProviderChoice,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
