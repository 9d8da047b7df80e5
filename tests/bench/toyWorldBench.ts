/**
 * `npm run bench -- toy-world`: the shipped toy models judged by the shapes world's oracle. Over 48 prompts
 * (every named shape × colour/background pairs, fixed seeds, the shipped sampler settings): foreground,
 * background and shape accuracy; VAE reconstruction PSNR on held-out renders and the oracle's shape accuracy on
 * the reconstructions (the ceiling of what the generator can draw); the scoring CLIP's zero-shot
 * shape and colour accuracy; seconds per sampled image; how well a diffusion classifier reads the shape and
 * colour words back from the UNet at each noise level; the same prompt grid and classifier on the SD 2.x twin
 * (v-prediction) when it is built. Writes the sample grids to bench-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ClipScorer } from '../../server/scoring/clipScorer';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { loadFrozenModel } from '../../server/sd/model/loadFrozenModel';
import {
  clipZeroShot,
  evaluatePrompts,
  promptGrid,
  TOY_SAMPLING,
  vaeReconstruction,
} from '../../server/scoring/toyWorldEvaluation';
import { unetConditioningAccuracy } from '../../server/training/toy/diffusionClassifier';
import { toyCheckpointPath, toyClipPath } from '../../server/training/toy/toyModelFiles';
import type { Benchmark } from './benchmark';
import { labelledGrid } from './labelledGrid';

export const toyWorldBenchmark: Benchmark = {
  name: 'toy-world',
  description:
    'toy shapes-world models judged by the oracle: prompt accuracy, VAE PSNR, scoring-CLIP zero-shot',
  async run({ repoRoot, log }) {
    const modelsDir = path.join(repoRoot, 'models');
    const model = await loadFrozenModel(toyCheckpointPath(modelsDir), { modelsDir, provider: 'cpu' });
    const twinFile = toyCheckpointPath(modelsDir, 'sd2');
    const twin = fs.existsSync(twinFile)
      ? await loadFrozenModel(twinFile, { modelsDir, provider: 'cpu' })
      : undefined;
    const scorer = ClipScorer.open(toyClipPath(modelsDir), { modelsDir, provider: 'cpu' });
    try {
      const cases = promptGrid();
      log(
        `sampling ${cases.length} prompts (${TOY_SAMPLING.samplerName}, ${TOY_SAMPLING.steps} steps, cfg ${TOY_SAMPLING.cfg})`,
      );
      const { judgements, accuracy, secondsPerImage, conditioning, grid } = await judgeGenerator(
        model,
        cases,
        repoRoot,
        'toy-world-grid.png',
        log,
      );
      log('VAE reconstruction on 64 held-out renders');
      const vae = await vaeReconstruction(model, 64, 777_001);
      const psnr = vae.psnrDb;
      log('scoring-CLIP zero-shot on 256 held-out renders');
      const zeroShot = await clipZeroShot(scorer, 256, 777_002);
      let sd2: Sd2Twin | undefined;
      if (twin) {
        log(`the SD 2.x twin (v-prediction): the same ${cases.length} prompts and seed, the same classifier`);
        const run = await judgeGenerator(twin, cases, repoRoot, 'toy-world-grid-sd2.png', log);
        sd2 = { accuracy: run.accuracy, unetConditioning: run.conditioning, grid: run.grid };
      }
      return {
        summary: [
          `prompt grid (${accuracy.count}): colour ${(accuracy.colour * 100).toFixed(1)} %, background ${(accuracy.background * 100).toFixed(1)} %, shape ${(accuracy.shape * 100).toFixed(1)} %, all three ${(accuracy.all * 100).toFixed(1)} %`,
          `VAE PSNR ${psnr.toFixed(2)} dB, the oracle sees the shape in ${(vae.shape * 100).toFixed(1)} % of its reconstructions; scoring-CLIP zero-shot shape ${(zeroShot.shape * 100).toFixed(1)} %, colour ${(zeroShot.colour * 100).toFixed(1)} %`,
          `${secondsPerImage.toFixed(3)} s per image; grid: ${grid}`,
          `diffusion classifier (shape / colour word picked right, by timestep): ${conditioning
            .map((c) => `t ${c.timestep} ${(c.shape * 100).toFixed(0)} / ${(c.colour * 100).toFixed(0)} %`)
            .join(', ')}`,
          ...(sd2
            ? [
                `SD 2.x twin: colour ${(sd2.accuracy.colour * 100).toFixed(1)} %, background ${(sd2.accuracy.background * 100).toFixed(1)} %, shape ${(sd2.accuracy.shape * 100).toFixed(1)} %, all three ${(sd2.accuracy.all * 100).toFixed(1)} %; grid: ${sd2.grid}`,
              ]
            : ['SD 2.x twin: not built (npm run models:toy)']),
        ],
        targets: [
          { name: 'colour error rate (target accuracy ≥ 90 %)', value: 1 - accuracy.colour, limit: 0.1 },
          {
            name: 'background error rate (target accuracy ≥ 90 %)',
            value: 1 - accuracy.background,
            limit: 0.1,
          },
          { name: 'shape error rate (target accuracy ≥ 70 %)', value: 1 - accuracy.shape, limit: 0.3 },
          { name: 'VAE PSNR shortfall below 28 dB', value: 28 - psnr, limit: 0 },
          {
            name: 'scoring-CLIP zero-shot shape error (target ≥ 90 %)',
            value: 1 - zeroShot.shape,
            limit: 0.1,
          },
          {
            name: 'scoring-CLIP zero-shot colour error (target ≥ 90 %)',
            value: 1 - zeroShot.colour,
            limit: 0.1,
          },
          ...(sd2
            ? [
                {
                  name: 'SD 2.x twin colour error rate (target accuracy ≥ 90 %)',
                  value: 1 - sd2.accuracy.colour,
                  limit: 0.1,
                },
                {
                  name: 'SD 2.x twin shape error rate (target accuracy ≥ 70 %)',
                  value: 1 - sd2.accuracy.shape,
                  limit: 0.3,
                },
              ]
            : []),
        ],
        data: {
          sd2Twin: sd2 ?? null,
          sampling: TOY_SAMPLING,
          accuracy,
          vaePsnrDb: psnr,
          vaeReconstructionShape: { accuracy: vae.shape, byShape: vae.byShape },
          clipZeroShot: zeroShot,
          unetConditioning: conditioning,
          secondsPerImage,
          cases: cases.map((c, i) => ({
            prompt: c.prompt,
            holds: judgements[i]!.holds,
            verdict: judgements[i]!.verdict,
          })),
          grid,
        },
      };
    } finally {
      await scorer.close();
      await model.close();
      await twin?.close();
    }
  },
};

/** What the bench measures on the SD 2.x twin. */
interface Sd2Twin {
  readonly accuracy: Awaited<ReturnType<typeof evaluatePrompts>>['accuracy'];
  readonly unetConditioning: Awaited<ReturnType<typeof unetConditioningAccuracy>>;
  readonly grid: string;
}

/**
 * One generator judged: the prompt grid sampled (fixed seed) and read by the oracle, seconds per image, the
 * diffusion classifier over 6 noise levels, and the labelled grid written to bench-results/`gridName`.
 */
async function judgeGenerator(
  model: FrozenModel,
  cases: ReturnType<typeof promptGrid>,
  repoRoot: string,
  gridName: string,
  log: (line: string) => void,
) {
  const start = performance.now();
  const { images, judgements, accuracy } = await evaluatePrompts(model, cases, { seed: 1000 });
  const secondsPerImage = (performance.now() - start) / 1000 / cases.length;
  log('diffusion classifier: the UNet on its shape and colour words, 48 renders, 6 noise levels');
  const conditioning = await unetConditioningAccuracy(model, {
    timesteps: [100, 200, 400, 600, 800, 900],
    renders: 48,
    noiseDraws: 4,
    seed: 777_123,
  });
  const grid = path.relative(repoRoot, await writeGrid(repoRoot, gridName, images, cases, judgements));
  return { judgements, accuracy, secondsPerImage, conditioning, grid };
}

/** Writes a labelled sample grid (prompt and the oracle's reading under each) to bench-results/; returns it. */
async function writeGrid(
  repoRoot: string,
  name: string,
  images: Awaited<ReturnType<typeof evaluatePrompts>>['images'],
  cases: ReturnType<typeof promptGrid>,
  judgements: Awaited<ReturnType<typeof evaluatePrompts>>['judgements'],
): Promise<string> {
  const grid = await labelledGrid(
    images,
    cases.map((c, i) => {
      const v = judgements[i]!.verdict;
      return [
        c.prompt.replace(/^an? /, '').replace(' background', ''),
        `sees ${v.colour} ${v.shape} on ${v.background}`,
      ];
    }),
    { columns: 8, cell: 160 },
  );
  const file = path.join(repoRoot, 'bench-results', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, grid);
  return file;
}
