import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from '../../nodes';
import { repoRoot } from '../../server/config';
import { decodeImage } from '../../server/image/imageIO';
import { workflowToPrompt } from '../../protocol/workflowToPrompt';
import { uiWorkflowSchema } from '../../protocol/wireSchemas';
import { readPngTextChunks } from '../../protocol/pngTextChunks';
import { createHarness } from '../support/engineHarness';

const workflowsDir = path.join(repoRoot, 'workflows');
const shipped = readdirSync(workflowsDir).filter((f) => f.endsWith('.json'));

describe('shipped workflows', () => {
  it('include the default', () => {
    expect(shipped).toContain('default.json');
  });

  it.each(shipped)('%s converts to its API twin and runs', async (file) => {
    const ui = uiWorkflowSchema.parse(JSON.parse(readFileSync(path.join(workflowsDir, file), 'utf8')));
    const twin: unknown = JSON.parse(readFileSync(path.join(workflowsDir, 'api', file), 'utf8'));
    const h = await createHarness([...nodeDefinitions], { tinyModels: true });
    const { prompt, warnings } = workflowToPrompt(ui, await h.registry.objectInfo());
    expect(warnings).toEqual([]);
    expect(prompt).toEqual(twin);
    const { outcome } = await h.run(prompt);
    expect(outcome.status).toBe('success');
    expect(Object.keys(outcome.outputs).length).toBeGreaterThan(0);
  });

  it('default.json saves a 256×256 inverted slate-blue PNG', async () => {
    const twin: unknown = JSON.parse(readFileSync(path.join(workflowsDir, 'api', 'default.json'), 'utf8'));
    const h = await createHarness([...nodeDefinitions]);
    const { outcome } = await h.run(twin);
    const [ref] = outcome.outputs['4'].images as { filename: string; subfolder: string }[];
    expect(ref).toEqual({ filename: 'InversionStudio_00001_.png', subfolder: '', type: 'output' });
    const png = await readFile(path.join(h.dirs.output, ref.filename));
    const image = await decodeImage(png);
    expect(image.shape).toEqual([1, 256, 256, 3]);
    // 0x1E3A5F inverted is 0xE1C5A0.
    expect(Array.from(image.data.subarray(0, 3), (v) => Math.round(v * 255))).toEqual([0xe1, 0xc5, 0xa0]);
    expect(JSON.parse(readPngTextChunks(png).prompt)).toEqual(twin);
  });
});
