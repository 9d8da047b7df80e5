import { describe, expect, it } from 'vitest';
import type { UiWorkflow } from '../../protocol/uiWorkflowSchema';
import { defineNode } from '../../server/engine/nodeDefinition';
import { NodeRegistry } from '../../server/engine/nodeRegistry';
import { widgetLayout, workflowToPrompt } from '../../protocol/workflowToPrompt';

const registry = new NodeRegistry([
  defineNode({
    type: 'Source',
    category: 'test',
    inputs: { required: { width: ['INT', { default: 8 }], color: [['red', 'blue']] } },
    outputs: [{ type: 'IMAGE' }, { type: 'MASK' }],
    execute: () => ({ outputs: [null, null] }),
  }),
  defineNode({
    type: 'Sampler',
    category: 'test',
    inputs: {
      required: {
        image: ['IMAGE'],
        seed: ['INT', { default: 0, control_after_generate: true }],
        steps: ['INT', { default: 20 }],
        strength: ['FLOAT', { default: 1, forceInput: true }],
        name: [['euler', 'ddim']],
      },
      optional: { note: ['STRING', { multiline: true }] },
    },
    outputs: [{ type: 'IMAGE' }],
    execute: () => ({ outputs: [null] }),
  }),
  defineNode({
    type: 'Sink',
    category: 'test',
    outputNode: true,
    inputs: { required: { images: ['IMAGE'], prefix: ['STRING', { default: 'x' }] } },
    outputs: [],
    execute: () => ({}),
  }),
]);

const node = (id: number, type: string, extra: Partial<UiWorkflow['nodes'][number]> = {}) => ({
  id,
  type,
  pos: [0, 0],
  size: [100, 100],
  flags: {},
  order: id,
  mode: 0,
  properties: {},
  ...extra,
});

describe('workflowToPrompt', () => {
  it('maps positional widgets through input_order, skipping the seed control value', async () => {
    const info = await registry.objectInfo();
    expect(widgetLayout(info.Sampler)).toEqual([
      { name: 'seed', width: 2 },
      { name: 'steps', width: 1 },
      { name: 'name', width: 1 },
      { name: 'note', width: 1 },
    ]);
    const workflow: UiWorkflow = {
      last_node_id: 3,
      last_link_id: 2,
      nodes: [
        node(1, 'Source', {
          widgets_values: [64, 'blue'],
          outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1] }],
        }),
        node(2, 'Sampler', {
          title: 'My sampler',
          inputs: [
            { name: 'image', type: 'IMAGE', link: 1 },
            { name: 'strength', type: 'FLOAT', link: null },
          ],
          widgets_values: [1234, 'randomize', 30, 'ddim', 'hello'],
        }),
        node(3, 'Sink', { inputs: [{ name: 'images', type: 'IMAGE', link: 2 }], widgets_values: ['out'] }),
      ],
      links: [
        [1, 1, 0, 2, 0, 'IMAGE'],
        [2, 2, 0, 3, 0, 'IMAGE'],
      ],
      groups: [],
      config: {},
      extra: {},
      version: 0.4,
    };
    const { prompt, warnings } = workflowToPrompt(workflow, info);
    expect(warnings).toEqual([]);
    expect(prompt).toEqual({
      '1': { class_type: 'Source', inputs: { width: 64, color: 'blue' }, _meta: { title: 'Source' } },
      '2': {
        class_type: 'Sampler',
        inputs: { image: ['1', 0], seed: 1234, steps: 30, name: 'ddim', note: 'hello' },
        _meta: { title: 'My sampler' },
      },
      '3': { class_type: 'Sink', inputs: { images: ['2', 0], prefix: 'out' }, _meta: { title: 'Sink' } },
    });
  });

  it('follows reroutes and bypassed nodes, drops muted nodes, notes and primitives', async () => {
    const info = await registry.objectInfo();
    const workflow: UiWorkflow = {
      nodes: [
        node(1, 'Source', { widgets_values: [8, 'red'] }),
        node(2, 'Reroute', { inputs: [{ name: '', type: '*', link: 1 }] }),
        node(3, 'Sampler', {
          mode: 4,
          inputs: [{ name: 'image', type: 'IMAGE', link: 2 }],
          outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [3] }],
          widgets_values: [1, 'fixed', 2, 'euler', ''],
        }),
        node(4, 'Sink', {
          inputs: [
            { name: 'images', type: 'IMAGE', link: 3 },
            { name: 'prefix', type: 'STRING', link: 5, widget: { name: 'prefix' } },
          ],
          widgets_values: ['from-primitive'],
        }),
        node(5, 'PrimitiveNode', { widgets_values: ['from-primitive'] }),
        node(6, 'Note', { widgets_values: ['remember this'] }),
        node(7, 'Sink', {
          mode: 2,
          inputs: [{ name: 'images', type: 'IMAGE', link: 4 }],
          widgets_values: ['muted'],
        }),
      ],
      links: [
        [1, 1, 0, 2, 0, 'IMAGE'],
        [2, 2, 0, 3, 0, 'IMAGE'],
        [3, 3, 0, 4, 0, 'IMAGE'],
        [4, 1, 0, 7, 0, 'IMAGE'],
        { id: 5, origin_id: 5, origin_slot: 0, target_id: 4, target_slot: 1, type: 'STRING' },
      ],
      version: 0.4,
    };
    const { prompt } = workflowToPrompt(workflow, info);
    expect(Object.keys(prompt)).toEqual(['1', '4']);
    expect(prompt['4'].inputs).toEqual({ images: ['1', 0], prefix: 'from-primitive' });
  });

  it('names the muted node behind each input it leaves unconnected', async () => {
    const info = await registry.objectInfo();
    const workflow: UiWorkflow = {
      nodes: [
        node(1, 'Source', { mode: 2, title: 'Red source', widgets_values: [8, 'red'] }),
        node(2, 'Sink', { inputs: [{ name: 'images', type: 'IMAGE', link: 1 }], widgets_values: ['out'] }),
      ],
      links: [[1, 1, 0, 2, 0, 'IMAGE']],
      version: 0.4,
    };
    const { prompt, mutedInputs } = workflowToPrompt(workflow, info);
    expect(prompt['2'].inputs).toEqual({ prefix: 'out' });
    expect(mutedInputs).toEqual([{ nodeId: '2', input: 'images', muted: { id: '1', title: 'Red source' } }]);
  });

  it('keeps unknown node types (so validation reports them) and accepts widgets_values objects', async () => {
    const info = await registry.objectInfo();
    const workflow: UiWorkflow = {
      nodes: [
        node(1, 'FancyCustomNode', { widgets_values: [1] }),
        node(2, 'Source', { widgets_values: { color: 'red', width: 3 } }),
      ],
      links: [],
      version: 0.4,
    };
    const { prompt, warnings } = workflowToPrompt(workflow, info);
    expect(prompt['1']).toEqual({
      class_type: 'FancyCustomNode',
      inputs: {},
      _meta: { title: 'FancyCustomNode' },
    });
    expect(prompt['2'].inputs).toEqual({ width: 3, color: 'red' });
    expect(warnings).toEqual(['node 1 has type "FancyCustomNode", which the server does not know']);
  });
});
