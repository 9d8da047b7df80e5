import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from '../../nodes';
import { repoRoot } from '../../server/config';
import { AUTO_LAYOUT_KEY, promptToWorkflow } from '../../protocol/promptToWorkflow';
import { workflowToPrompt } from '../../protocol/workflowToPrompt';
import { uiWorkflowSchema, type ApiPrompt } from '../../protocol/wireSchemas';
import { createHarness } from '../support/engineHarness';

const apiDir = path.join(repoRoot, 'workflows', 'api');
const twins = readdirSync(apiDir).filter((f) => f.endsWith('.json'));

describe('promptToWorkflow', () => {
  it.each(twins)('api/%s becomes a UI workflow that converts back to the same prompt', async (file) => {
    const prompt = JSON.parse(readFileSync(path.join(apiDir, file), 'utf8')) as ApiPrompt;
    const objectInfo = await (await createHarness([...nodeDefinitions])).registry.objectInfo();
    const { workflow, warnings } = promptToWorkflow(prompt, objectInfo);
    expect(warnings).toEqual([]);
    expect(uiWorkflowSchema.safeParse(workflow).success).toBe(true);
    expect(workflow.extra?.[AUTO_LAYOUT_KEY]).toBe(true);
    const back = workflowToPrompt(workflow, objectInfo);
    expect(back.warnings).toEqual([]);
    // optional widgets the prompt left out come back with their defaults
    expect(back.prompt).toMatchObject(prompt);
    expect(Object.keys(back.prompt)).toEqual(Object.keys(prompt));
  });
});
