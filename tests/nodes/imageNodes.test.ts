import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createHarness, RecordingSink } from '../support/engineHarness';
import { decodeImage, decodeImageWithMask } from '../../server/image/imageIO';
import { readPngTextChunks } from '../../protocol/pngTextChunks';
import { nodeDefinitions } from '../../nodes/index';

const empty = (width: number, height: number, color: number, batch = 1) => ({
  class_type: 'EmptyImage',
  inputs: { width, height, batch_size: batch, color },
});
const save = (source: string, prefix = 'test') => ({
  class_type: 'SaveImage',
  inputs: { images: [source, 0], filename_prefix: prefix },
});

async function savedPixels(dir: string, filename: string): Promise<{ shape: number[]; rgb: number[] }> {
  const image = await decodeImage(await readFile(path.join(dir, filename)));
  return { shape: image.shape, rgb: Array.from(image.data, (v) => Math.round(v * 255)) };
}

describe('image nodes', () => {
  it('SaveImage numbers files like ComfyUI, per batch item and across runs, in subfolders', async () => {
    const h = await createHarness([...nodeDefinitions]);
    const prompt = { '1': empty(2, 1, 0x0000ff, 2), '2': save('1', 'cats/tabby') };
    const first = await h.run(prompt);
    expect(first.outcome.outputs['2'].images).toEqual([
      { filename: 'tabby_00001_.png', subfolder: 'cats', type: 'output' },
      { filename: 'tabby_00002_.png', subfolder: 'cats', type: 'output' },
    ]);
    await h.run({ ...prompt, '1': empty(2, 1, 0x00ff00, 1) });
    expect((await readdir(path.join(h.dirs.output, 'cats'))).sort()).toEqual([
      'tabby_00001_.png',
      'tabby_00002_.png',
      'tabby_00003_.png',
    ]);
    expect(await savedPixels(path.join(h.dirs.output, 'cats'), 'tabby_00003_.png')).toEqual({
      shape: [1, 1, 2, 3],
      rgb: [0, 255, 0, 0, 255, 0],
    });
  });

  it('SaveImage refuses a prefix that leaves the output folder', async () => {
    const h = await createHarness([...nodeDefinitions]);
    const sink = new RecordingSink();
    const { outcome } = await h.run({ '1': empty(1, 1, 0), '2': save('1', '../escape') }, sink);
    expect(outcome.status).toBe('error');
    expect(sink.of('execution_error')[0].exception_message).toMatch(
      /filename_prefix "..\/escape" would save outside the output folder/,
    );
  });

  it('SaveImage embeds prompt and workflow; PreviewImage writes to temp', async () => {
    const h = await createHarness([...nodeDefinitions]);
    const prompt = {
      '1': empty(1, 1, 0x102030),
      '2': save('1'),
      '3': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
    };
    const validation = await import('../../server/engine/validatePrompt').then((m) =>
      m.validatePrompt(prompt, h.registry),
    );
    if (!validation.ok) throw new Error('invalid');
    const workflow = { nodes: [], links: [], version: 0.4 };
    const outcome = await h.executor.execute(
      {
        promptId: 'meta',
        prompt: validation.prompt,
        extraData: { extra_pnginfo: { workflow } },
        outputs: validation.outputs,
      },
      new RecordingSink(),
    );
    const texts = readPngTextChunks(await readFile(path.join(h.dirs.output, 'test_00001_.png')));
    expect(JSON.parse(texts.prompt)).toEqual(validation.prompt);
    expect(JSON.parse(texts.workflow)).toEqual(workflow);
    const [preview] = outcome.outputs['3'].images as { filename: string; type: string }[];
    expect(preview.type).toBe('temp');
    expect(preview.filename).toMatch(/^InversionStudio_temp_[a-z]{5}_00001_\.png$/);
    expect(await savedPixels(h.dirs.temp, preview.filename)).toEqual({
      shape: [1, 1, 1, 3],
      rgb: [0x10, 0x20, 0x30],
    });
  });

  it('ImageInvert, ImageScale (aspect from 0, centre crop) and ImageBatch', async () => {
    const h = await createHarness([...nodeDefinitions]);
    const prompt = {
      '1': empty(4, 2, 0x000000),
      '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
      '3': {
        class_type: 'ImageScale',
        inputs: { image: ['2', 0], upscale_method: 'nearest-exact', width: 0, height: 4, crop: 'disabled' },
      },
      '4': save('3', 'scaled'),
      '5': {
        class_type: 'ImageScale',
        inputs: { image: ['1', 0], upscale_method: 'bilinear', width: 3, height: 3, crop: 'center' },
      },
      '6': { class_type: 'ImageBatch', inputs: { image1: ['5', 0], image2: ['2', 0] } },
      '7': save('6', 'batch'),
    };
    const { outcome } = await h.run(prompt);
    expect(outcome.status).toBe('success');
    const scaled = await savedPixels(h.dirs.output, 'scaled_00001_.png');
    expect(scaled.shape).toEqual([1, 4, 8, 3]);
    expect(new Set(scaled.rgb)).toEqual(new Set([255]));
    expect(outcome.outputs['7'].images).toHaveLength(2);
    expect(await savedPixels(h.dirs.output, 'batch_00002_.png')).toEqual({
      shape: [1, 3, 3, 3],
      rgb: new Array(27).fill(255),
    });
  });

  it('ImageStitch puts image2 beside image1 with a coloured gap, and passes image1 alone through', async () => {
    const h = await createHarness([...nodeDefinitions]);
    const stitch = (image2: boolean) => ({
      class_type: 'ImageStitch',
      inputs: {
        image1: ['1', 0],
        ...(image2 ? { image2: ['2', 0] } : {}),
        direction: 'right',
        match_image_size: false,
        spacing_width: 2,
        spacing_color: 'green',
      },
    });
    const prompt = {
      '1': empty(2, 1, 0xff0000),
      '2': empty(1, 1, 0x0000ff),
      '3': stitch(true),
      '4': save('3', 'stitched'),
      '5': stitch(false),
      '6': save('5', 'alone'),
    };
    const { outcome } = await h.run(prompt);
    expect(outcome.status).toBe('success');
    expect(await savedPixels(h.dirs.output, 'stitched_00001_.png')).toEqual({
      shape: [1, 1, 5, 3],
      rgb: [255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0, 0, 255],
    });
    expect((await savedPixels(h.dirs.output, 'alone_00001_.png')).shape).toEqual([1, 1, 2, 3]);
  });

  it('LoadImage reads input/, returns 1 − alpha as mask, and re-runs when the file changes', async () => {
    const h = await createHarness([...nodeDefinitions]);
    await mkdir(path.join(h.dirs.input, 'sub'), { recursive: true });
    const file = path.join(h.dirs.input, 'sub', 'dot.png');
    const rgba = (alpha: number) =>
      sharp(Buffer.from([200, 100, 50, alpha]), { raw: { width: 1, height: 1, channels: 4 } })
        .png()
        .toBuffer();
    await writeFile(file, await rgba(255));
    const info = await h.registry.describe('LoadImage');
    expect(info?.input.required?.image).toEqual([['sub/dot.png'], { image_upload: true }]);
    const prompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'sub/dot.png' } },
      '2': save('1', 'loaded'),
    };
    const first = await h.run(prompt);
    expect(first.outcome.status).toBe('success');
    expect(await savedPixels(h.dirs.output, 'loaded_00001_.png')).toEqual({
      shape: [1, 1, 1, 3],
      rgb: [200, 100, 50],
    });
    const again = await h.run(prompt);
    expect(again.sink.executedNodes()).toEqual([]);
    await writeFile(file, await rgba(0));
    const changed = await h.run(prompt);
    expect(changed.sink.executedNodes()).toEqual(['1', '2']);
    const { mask } = await decodeImageWithMask(await readFile(file));
    expect(Array.from(mask.data)).toEqual([1]);
  });
});
