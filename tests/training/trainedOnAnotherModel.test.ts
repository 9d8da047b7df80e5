/**
 * A token's run belongs to the model it was trained on. The toy SD 2.x twin shares the SD 1.x model's text
 * tower, so the token tables of the two are identical and only the model files tell them apart: resuming the
 * SD 1.x run on the twin is refused, and so is a new run of the same token on the twin (it would overwrite the
 * SD 1.x run's checkpoint and saved steps); a new run on the SD 1.x model itself is a restart and goes ahead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrozenModel } from '../../server/sd/model/frozenModel';
import { tableFingerprint } from '../../server/training/textualInversion/resumeChecks';
import { trainableModelFromFrozen } from '../../server/training/textualInversion/trainableModel';
import { loadTrainingCheckpoint } from '../../server/training/textualInversion/trainingCheckpoint';
import { conceptConfig, openToyModel, prepareConceptRun } from '../support/toyConceptLearning';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'other-model-'));
const file = path.join(dir, 'checkpoint.json');
let sd1: FrozenModel;
let twin: FrozenModel;

beforeAll(async () => {
  [sd1, twin] = await Promise.all([openToyModel('sd1'), openToyModel('sd2')]);
  await (await prepareConceptRun(sd1, conceptConfig({ steps: 4 }), { checkpointFile: file })).run();
});
afterAll(async () => {
  await Promise.all([sd1.close(), twin.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a run of one token on the toy SD 1.x model', () => {
  it('records the model files besides the token table, which the twin shares', () => {
    const [a, b] = [trainableModelFromFrozen(sd1), trainableModelFromFrozen(twin)];
    expect(tableFingerprint(a)).toBe(tableFingerprint(b));
    expect(a.weightsFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.weightsFingerprint).not.toBe(a.weightsFingerprint);
    expect(loadTrainingCheckpoint(file).weightsFingerprint).toBe(a.weightsFingerprint);
  });

  it('is not resumed on the SD 2.x twin', async () => {
    await expect(
      prepareConceptRun(twin, conceptConfig({ steps: 8 }), { checkpointFile: file, resume: true }),
    ).rejects.toThrow(/trained on another model \(its model files differ\); resume with that model/);
  });

  it('is not overwritten by a new run of the token on the twin, and is restarted on its own model', async () => {
    await expect(
      prepareConceptRun(twin, conceptConfig({ steps: 8 }), { checkpointFile: file }),
    ).rejects.toThrow(
      /holds a run of "<ring-concept>" on another model \(step 4: its model files differ\); a new run would overwrite/,
    );
    expect(loadTrainingCheckpoint(file).trainer.optimizerStep).toBe(4);
    await (await prepareConceptRun(sd1, conceptConfig({ steps: 2 }), { checkpointFile: file })).run();
    expect(loadTrainingCheckpoint(file).trainer.optimizerStep).toBe(2);
  });
});
