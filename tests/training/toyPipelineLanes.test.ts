/**
 * `npm run models:toy` with two lanes, on a tiny recipe of the real stages: a second process trains the VAE,
 * its decoder and the scoring CLIP while this one trains the text CLIP and the UNets, and the weights it saves
 * are exactly those the stages give when trained in this process. A side lane that fails stops the run with
 * its error instead of leaving the main lane waiting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runToyPipeline } from '../../server/training/toy/toyPipeline';
import { trainToyClip, type ToyStageRecipe } from '../../server/training/toy/toyRecipe';
import { readStageWeights } from '../../server/training/toy/stageWeightsFile';
import {
  runSideStages,
  sideStageKeys,
  stageFile,
  StageRunner,
  textStageKey,
  SIDE_STAGES,
} from '../../server/training/toy/toyStageRunner';
import { toyCheckpointPath } from '../../server/training/toy/toyModelFiles';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'toy-lanes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const stage = { steps: 2, batch: 2, lr: 1e-3, warmup: 1 };
const clipPhases = [{ steps: 2, shapeOnlyRate: 0.5, constraints: {} }];
const tiny: ToyStageRecipe = {
  textClip: { phases: clipPhases, batch: 4, lr: 1e-3, warmup: 1, seed: 11 },
  scoringClip: { phases: clipPhases, batch: 4, lr: 1e-3, warmup: 1, seed: 12 },
  vae: { ...stage, seed: 13 },
  vaeDecoder: { ...stage, seed: 14 },
  unet: [{ ...stage, seed: 15 }],
  unetSd2: [{ ...stage, seed: 16 }],
};

function expectSameWeights(
  a: Map<string, { data: Float32Array }>,
  b: Map<string, { data: Float32Array }>,
  label: string,
) {
  expect([...a.keys()].sort(), label).toEqual([...b.keys()].sort());
  for (const [key, w] of a)
    expect(Array.from(b.get(key)!.data), `${label}: ${key}`).toEqual(Array.from(w.data));
}

describe('the toy pipeline with two lanes', () => {
  it('trains the side stages in a second process, to the weights one process gives', async () => {
    const workDir = path.join(tmp, 'lanes', 'work');
    const modelsDir = path.join(tmp, 'lanes', 'models');
    const events: string[] = [];
    const stepLanes = new Map<string, Set<string>>();
    const summary = await runToyPipeline({
      workDir,
      modelsDir,
      recipe: tiny,
      lanes: 2,
      threads: 1,
      onStep: (name, _, lane) => stepLanes.set(lane, (stepLanes.get(lane) ?? new Set()).add(name)),
      onStage: (name, event, _, losses, lane) => events.push(`${name} ${event} ${lane} ${losses.length}`),
    });
    expect(summary.interrupted).toBe(false);
    expect(events.sort()).toEqual([
      'scoring-clip trained side 2',
      'text-clip trained main 2',
      'unet trained main 2',
      'unet-sd2 trained main 2',
      'vae trained side 2',
      'vae-decoder trained side 2',
    ]);
    expect([...stepLanes.get('side')!].sort()).toEqual(['scoring-clip-1of1', 'vae', 'vae-decoder']);
    expect(Object.keys(summary.stages).sort()).toEqual(
      ['scoring-clip', 'text-clip', 'unet', 'unet-sd2', 'vae', 'vae-decoder'].sort(),
    );
    expect(summary.stages.vae!.losses).toHaveLength(2);
    expect(Number.isFinite(summary.scalingFactor) && summary.scalingFactor > 0).toBe(true);
    expect(summary.files).toContain(toyCheckpointPath(modelsDir));
    for (const file of summary.files) expect(fs.existsSync(file), file).toBe(true);

    // the same stages trained here, one after another
    const here = path.join(tmp, 'here');
    const runner = new StageRunner(here);
    const side = await runSideStages(tiny, runner, { workDir: here, threads: 1 });
    const keys = sideStageKeys(tiny);
    for (const name of SIDE_STAGES) {
      const saved = readStageWeights(stageFile(workDir, name), keys[name]);
      expect(saved, name).toBeDefined();
      expectSameWeights(side![name].weights, saved!.weights, name);
    }
    expect(readStageWeights(stageFile(workDir, 'vae'), keys.vae)!.meta.scalingFactor).toBe(
      String(summary.scalingFactor),
    );
    const text = await trainToyClip('text-clip', 'generator', tiny.textClip, { workDir: here, threads: 1 });
    expectSameWeights(
      text.weights,
      readStageWeights(stageFile(workDir, 'text-clip'), textStageKey(tiny))!.weights,
      'text-clip',
    );

    // a second run finds every stage finished
    const again: string[] = [];
    await runToyPipeline({
      workDir,
      modelsDir,
      recipe: tiny,
      lanes: 2,
      threads: 1,
      onStage: (name, event, _, __, lane) => again.push(`${name} ${event} ${lane}`),
    });
    expect(again.filter((e) => !e.endsWith('loaded main') && !e.endsWith('loaded side'))).toEqual([]);
    expect(again).toHaveLength(6);
  }, 600_000);

  it('stops with the side lane’s error when it fails', async () => {
    const broken: ToyStageRecipe = { ...tiny, vae: { ...tiny.vae, batch: 0 } };
    await expect(
      runToyPipeline({
        workDir: path.join(tmp, 'broken', 'work'),
        modelsDir: path.join(tmp, 'broken', 'models'),
        recipe: broken,
        lanes: 2,
        threads: 1,
      }),
    ).rejects.toThrow(
      /side lane \(vae, vae-decoder, scoring-clip; a second process\) exited with code 1[\s\S]*--lanes 1/,
    );
  }, 300_000);
});
