import { describe, expect, it } from 'vitest';
import { NodeRegistry } from '../../server/engine/nodeRegistry';
import { validatePrompt } from '../../server/engine/validatePrompt';
import { createTestNodes } from '../support/testNodes';

const registry = new NodeRegistry(createTestNodes().nodes);

const num = (value: unknown) => ({ class_type: 'TestNumber', inputs: { value } });
const out = (value: unknown) => ({ class_type: 'TestOutput', inputs: { value } });
const text = (inputs: Record<string, unknown>) => ({
  class_type: 'TestText',
  inputs: { text: 'hi', mode: 'upper', enabled: true, scale: 1, ...inputs },
});
const textOut = { class_type: 'TestTextOutput', inputs: { text: ['1', 0] } };

/** [case, prompt, top-level error type, {node id: error types}] */
const cases: [string, unknown, string, Record<string, string[]>][] = [
  ['prompt not an object', [1, 2], 'invalid_prompt', {}],
  [
    'node without class_type',
    { '1': { inputs: {} }, '2': out(['3', 0]), '3': num(1) },
    'invalid_prompt',
    { '1': ['invalid_prompt'] },
  ],
  [
    'unknown class',
    { '1': { class_type: 'Nope', inputs: {} }, '2': { class_type: 'Nada', inputs: {} } },
    'missing_node_type',
    { '1': ['missing_node_type'], '2': ['missing_node_type'] },
  ],
  ['no output node', { '1': num(3) }, 'prompt_no_outputs', {}],
  [
    'required input missing',
    { '1': { class_type: 'TestOutput', inputs: {} } },
    'prompt_outputs_failed_validation',
    { '1': ['required_input_missing'] },
  ],
  [
    'link to a missing node',
    { '1': out(['9', 0]) },
    'prompt_outputs_failed_validation',
    { '1': ['bad_linked_input'] },
  ],
  [
    'link of length 3',
    { '1': num(1), '2': out(['1', 0, 0]) },
    'prompt_outputs_failed_validation',
    { '2': ['bad_linked_input'] },
  ],
  [
    'output index out of range',
    { '1': num(1), '2': out(['1', 4]) },
    'prompt_outputs_failed_validation',
    { '2': ['bad_linked_input'] },
  ],
  [
    'STRING into INT',
    { '1': text({}), '2': out(['1', 0]) },
    'prompt_outputs_failed_validation',
    { '2': ['return_type_mismatch'] },
  ],
  [
    'INT literal not a number',
    { '1': num('abc'), '2': out(['1', 0]) },
    'prompt_outputs_failed_validation',
    { '1': ['invalid_input_type'] },
  ],
  [
    'FLOAT literal not a number',
    { '1': text({ scale: 'wide' }), '2': textOut },
    'prompt_outputs_failed_validation',
    { '1': ['invalid_input_type'] },
  ],
  [
    'below min',
    { '1': num(-1), '2': out(['1', 0]) },
    'prompt_outputs_failed_validation',
    { '1': ['value_smaller_than_min'] },
  ],
  [
    'above max',
    { '1': num(101), '2': out(['1', 0]) },
    'prompt_outputs_failed_validation',
    { '1': ['value_bigger_than_max'] },
  ],
  [
    'FLOAT above max',
    { '1': text({ scale: 2.5 }), '2': textOut },
    'prompt_outputs_failed_validation',
    { '1': ['value_bigger_than_max'] },
  ],
  [
    'combo value not in list',
    { '1': text({ mode: 'title' }), '2': textOut },
    'prompt_outputs_failed_validation',
    { '1': ['value_not_in_list'] },
  ],
  [
    'BOOLEAN literal invalid',
    { '1': text({ enabled: 'maybe' }), '2': textOut },
    'prompt_outputs_failed_validation',
    { '1': ['invalid_input_type'] },
  ],
  [
    'custom validation',
    { '1': { class_type: 'TestEven', inputs: { value: 3 } }, '2': out(['1', 0]) },
    'prompt_outputs_failed_validation',
    { '1': ['custom_validation_failed'] },
  ],
  [
    'dependency cycle',
    {
      '1': { class_type: 'TestAdd', inputs: { a: ['2', 0], b: 1 } },
      '2': { class_type: 'TestAdd', inputs: { a: ['1', 0], b: 1 } },
      '3': out(['2', 0]),
    },
    'prompt_outputs_failed_validation',
    { '1': ['dependency_cycle'], '2': ['dependency_cycle'] },
  ],
  [
    'self loop',
    { '1': { class_type: 'TestAdd', inputs: { a: ['1', 0], b: 0 } }, '2': out(['1', 0]) },
    'prompt_outputs_failed_validation',
    { '1': ['dependency_cycle'] },
  ],
];

describe('validatePrompt', () => {
  it.each(cases)('%s', async (_case, prompt, topType, expected) => {
    const result = await validatePrompt(prompt, registry);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.type).toBe(topType);
    const got = Object.fromEntries(
      Object.entries(result.nodeErrors).map(([id, e]) => [id, e.errors.map((x) => x.type)]),
    );
    expect(got).toEqual(expected);
  });

  it('rejects a literal for an IMAGE input on a needed node', async () => {
    const prompt = {
      '1': { class_type: 'TestNeedsImage', inputs: { image: 'cat.png' } },
      '2': { class_type: 'TestTextOutput', inputs: { text: ['1', 0] } },
    };
    const result = await validatePrompt(prompt, registry);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.nodeErrors['1'].errors.map((e) => e.type)).toEqual(['invalid_input_type']);
    expect(result.nodeErrors['2'].errors.map((e) => e.type)).toEqual(['return_type_mismatch']);
  });

  it('collects every error of every node, with dependent outputs', async () => {
    const prompt = {
      '1': num(500),
      '2': text({ mode: 'title', scale: -1 }),
      '3': out(['1', 0]),
      '4': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
      '5': { class_type: 'TestOutput', inputs: { value: ['1', 0], label: 'second' } },
    };
    const result = await validatePrompt(prompt, registry);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.type).toBe('prompt_outputs_failed_validation');
    expect(result.nodeErrors['1']).toMatchObject({ class_type: 'TestNumber', dependent_outputs: ['3', '5'] });
    expect(result.nodeErrors['1'].errors[0]).toMatchObject({
      type: 'value_bigger_than_max',
      message: 'Value 500 bigger than max of 100',
      extra_info: { input_name: 'value', received_value: 500 },
    });
    expect(result.nodeErrors['2'].errors.map((e) => e.type)).toEqual([
      'value_not_in_list',
      'value_smaller_than_min',
    ]);
    expect(result.nodeErrors['4'].errors.map((e) => e.type)).toEqual(['return_type_mismatch']);
    expect(result.nodeErrors['2'].dependent_outputs).toEqual(['4']);
    expect(result.nodeErrors['4'].dependent_outputs).toEqual(['4']);
  });

  it('runs the valid outputs and reports the broken ones (like ComfyUI)', async () => {
    const prompt = { '1': num(5), '2': out(['1', 0]), '3': num(-5), '4': out(['3', 0]) };
    const result = await validatePrompt(prompt, registry);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.outputs).toEqual(['2']);
    expect(Object.keys(result.nodeErrors)).toEqual(['3']);
    expect(result.nodeErrors['3'].dependent_outputs).toEqual(['4']);
  });

  it('converts literals and normalises numeric link ids', async () => {
    const prompt = {
      '1': num('7'),
      '2': { class_type: 'TestAdd', inputs: { a: [1, 0], b: 2.9 } },
      '3': out(['2', 0]),
    };
    const result = await validatePrompt(prompt, registry);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.prompt['1'].inputs.value).toBe(7);
    expect(result.prompt['2'].inputs).toEqual({ a: ['1', 0], b: 2 });
  });

  it('restricts outputs to partial_execution_targets', async () => {
    const prompt = { '1': num(5), '2': out(['1', 0]), '3': out(['1', 0]) };
    const result = await validatePrompt(prompt, registry, { targets: ['3'] });
    expect(result.ok && result.outputs).toEqual(['3']);
  });
});
