import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyImage } from '../../world';
import {
  EXAMPLE_BACKGROUNDS,
  EXAMPLE_CONCEPT,
  EXAMPLE_IMAGES_FOLDER,
  ensureExampleTrainingImages,
  exampleCaption,
  exampleScenes,
} from './exampleImages';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-examples-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('example training images', () => {
  it('show the red ring, each on its own background, green left for the new context', () => {
    const scenes = exampleScenes();
    expect(scenes.map((s) => s.background)).toEqual([...EXAMPLE_BACKGROUNDS]);
    expect(new Set(scenes.map((s) => s.background)).size).toBe(scenes.length);
    expect(scenes.map((s) => s.background)).not.toContain('green');
    for (const s of scenes) expect([s.shape, s.colour]).toEqual([EXAMPLE_CONCEPT.shape, 'red']);
  });

  it('are written as PNGs the oracle reads as their scenes, with caption files; a folder is kept', async () => {
    const files = await ensureExampleTrainingImages(tmp);
    expect(files.map((f) => path.basename(f))).toEqual(
      EXAMPLE_BACKGROUNDS.map((_, i) => `ring-${i + 1}.png`),
    );
    for (const [i, file] of files.entries()) {
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      const rgb = Float32Array.from(data, (v) => v / 255);
      const verdict = classifyImage(rgb, info.width);
      expect([verdict.shape, verdict.colour, verdict.background]).toEqual([
        'ring',
        'red',
        EXAMPLE_BACKGROUNDS[i],
      ]);
    }
    const captions = files.map((f) => fs.readFileSync(f.replace(/\.png$/, '.txt'), 'utf8'));
    expect(captions).toEqual([
      'on a white background\n',
      'on a blue background\n',
      'on a yellow background\n',
      'on a black background\n',
      'on a purple background\n',
    ]);
    expect(EXAMPLE_BACKGROUNDS.map((_, i) => exampleCaption(i))).toEqual(captions.map((c) => c.trim()));
    fs.rmSync(files[0]!);
    expect(await ensureExampleTrainingImages(tmp)).toEqual([]);
    expect(fs.readdirSync(path.join(tmp, EXAMPLE_IMAGES_FOLDER))).toHaveLength(2 * files.length - 1);
  });
});
