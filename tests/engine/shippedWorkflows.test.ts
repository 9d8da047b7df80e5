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
import { DEFAULT_WORKFLOW_NAME } from '../../protocol/workflowNames';
import { createHarness } from '../support/engineHarness';
import { writeToyWordsEmbedding } from '../support/toyEmbedding';

const workflowsDir = path.join(repoRoot, 'workflows');
const shipped = readdirSync(workflowsDir).filter((f) => f.endsWith('.json'));

type ApiPrompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** The prompt with every trainer cut to 4 steps (checkpoints and previews every 2): the run, not the result, is tested. */
function shortened(prompt: ApiPrompt): ApiPrompt {
  const short = structuredClone(prompt);
  for (const node of Object.values(short)) {
    if (node.class_type === 'TextualInversionTrainer')
      Object.assign(node.inputs, { steps: 4, checkpoint_every: 2, preview_every: 2 });
  }
  return short;
}

describe('shipped workflows', () => {
  it('include the one the studio opens on', () => {
    expect(shipped).toContain(`${DEFAULT_WORKFLOW_NAME}.json`);
  });

  // on the embedded toy model, copied from the repo's models/ by the default startup tasks
  it.each(shipped)('%s converts to its API twin and runs', async (file) => {
    const ui = uiWorkflowSchema.parse(JSON.parse(readFileSync(path.join(workflowsDir, file), 'utf8')));
    const twin: unknown = JSON.parse(readFileSync(path.join(workflowsDir, 'api', file), 'utf8'));
    const h = await createHarness([...nodeDefinitions], { startupTasks: true });
    // the shipped toy-ring embedding is the lead's to train; any embedding with its token stands in
    if (file === 'sample-with-embedding.json') await writeToyWordsEmbedding(h.dirs.models, 'red shape');
    const { prompt, warnings } = workflowToPrompt(ui, await h.registry.objectInfo());
    expect(warnings).toEqual([]);
    expect(prompt).toEqual(twin);
    const { outcome } = await h.run(shortened(prompt as ApiPrompt));
    expect(outcome.status).toBe('success');
    expect(Object.keys(outcome.outputs).length).toBeGreaterThan(0);
  });

  it('the image-invert fixture saves a 256×256 inverted slate-blue PNG', async () => {
    const twin: unknown = JSON.parse(
      readFileSync(path.join(repoRoot, 'tests/fixtures/workflows/api/image-invert.json'), 'utf8'),
    );
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
