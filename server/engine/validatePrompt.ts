/**
 * Validates a whole API prompt, collecting every problem: malformed nodes, unknown classes, missing
 * outputs, dependency cycles and each node's input errors. Like ComfyUI, outputs whose ancestors are all
 * valid still run when other outputs fail; the failures come back as `node_errors`.
 */
import type { ApiPrompt, NodeErrors, ValidationError } from '../../protocol/wireSchemas';
import { ancestorClosure, compareNodeIds, findCycles } from './promptGraph';
import type { NodeRegistry } from './nodeRegistry';
import { type CheckedNode, validateNodeInputs } from './validateInputs';
import { validationError } from './validationErrors';

export type PromptValidation =
  | {
      ok: true;
      /** The whole prompt, with the needed nodes' literals converted and links normalised. */
      prompt: ApiPrompt;
      /** Output node ids that will run. */
      outputs: string[];
      /** Errors of outputs that will not run (empty when everything is valid). */
      nodeErrors: NodeErrors;
    }
  | { ok: false; error: ValidationError; nodeErrors: NodeErrors };

export interface ValidateOptions {
  /** Run only these output nodes (`partial_execution_targets`). */
  targets?: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function validatePrompt(
  raw: unknown,
  registry: NodeRegistry,
  options: ValidateOptions = {},
): Promise<PromptValidation> {
  if (!isRecord(raw)) {
    const error = validationError(
      'invalid_prompt',
      'Invalid prompt',
      'the prompt must be an object of node id → {class_type, inputs}',
    );
    return { ok: false, error, nodeErrors: {} };
  }

  const nodeErrors: NodeErrors = {};
  const addError = (id: string, classType: string, error: ValidationError): void => {
    nodeErrors[id] ??= { errors: [], dependent_outputs: [], class_type: classType };
    nodeErrors[id].errors.push(error);
  };

  // 1. Shape and class of every node.
  const nodes: Record<string, CheckedNode> = {};
  let structural: ValidationError | undefined;
  for (const [id, entry] of Object.entries(raw)) {
    const classType = isRecord(entry) && typeof entry.class_type === 'string' ? entry.class_type : undefined;
    if (
      !isRecord(entry) ||
      classType === undefined ||
      (entry.inputs !== undefined && !isRecord(entry.inputs))
    ) {
      const error = validationError(
        'invalid_prompt',
        'Cannot execute because a node is missing the class_type property or has malformed inputs.',
        `Node ID '#${id}': expected {class_type: string, inputs: object}`,
        { node_id: id },
      );
      addError(id, classType ?? '', error);
      structural ??= error;
      continue;
    }
    const inputs = isRecord(entry.inputs) ? entry.inputs : {};
    nodes[id] = { class_type: classType, inputs };
    if (!registry.get(classType)) {
      const error = validationError(
        'missing_node_type',
        `Node '${classType}' not found. The node type is not installed or is misspelled.`,
        `Node ID '#${id}': unknown class_type "${classType}"; GET /object_info lists the known types`,
        { node_id: id, class_type: classType },
      );
      addError(id, classType, error);
      if (!structural || structural.type !== 'missing_node_type') structural = error;
    }
  }
  if (structural) return { ok: false, error: structural, nodeErrors };

  // 2. Which outputs run.
  let outputs = Object.keys(nodes).filter((id) => registry.get(nodes[id].class_type)?.outputNode);
  if (options.targets) outputs = outputs.filter((id) => options.targets?.includes(id));
  outputs.sort(compareNodeIds);
  if (outputs.length === 0) {
    const error = validationError(
      'prompt_no_outputs',
      'Prompt has no outputs',
      'add an output node (e.g. SaveImage or PreviewImage) and connect it',
    );
    return { ok: false, error, nodeErrors: {} };
  }

  // 3. Cycles among everything the outputs need.
  const needed = ancestorClosure(nodes, outputs);
  for (const cycle of findCycles(nodes, needed)) {
    for (const id of cycle) {
      addError(
        id,
        nodes[id].class_type,
        validationError(
          'dependency_cycle',
          'Dependency cycle detected',
          `nodes ${cycle.join(' → ')} depend on each other; remove one of the links`,
          {
            cycle,
          },
        ),
      );
    }
  }

  // 4. Inputs of every needed node. Nodes no output needs are kept as they came and never run.
  const prompt: ApiPrompt = {};
  for (const [id, node] of Object.entries(nodes))
    prompt[id] = { ...(raw[id] as Record<string, unknown>), ...node };
  for (const id of [...needed].sort(compareNodeIds)) {
    const node = nodes[id];
    const def = registry.get(node.class_type);
    if (!def) continue;
    const result = await validateNodeInputs(nodes, registry, def, node);
    for (const error of result.errors) addError(id, node.class_type, error);
    const original = raw[id] as Record<string, unknown>;
    prompt[id] = { ...original, class_type: node.class_type, inputs: result.inputs };
  }

  // 5. Nodes that would write the same thing (two trainers of one token into one folder).
  const writers = new Map<string, string[]>();
  for (const id of [...needed].sort(compareNodeIds)) {
    const target = registry.get(nodes[id].class_type)?.writesTo?.(prompt[id]!.inputs);
    if (target !== undefined) writers.set(target, [...(writers.get(target) ?? []), id]);
  }
  for (const [target, ids] of writers) {
    if (ids.length < 2) continue;
    for (const id of ids) {
      addError(
        id,
        nodes[id].class_type,
        validationError(
          'custom_validation_failed',
          'Nodes would overwrite each other',
          `nodes ${ids.map((n) => `#${n}`).join(', ')} all write ${target}; give each its own (e.g. its own token)`,
          { node_id: id, conflicting_nodes: ids },
        ),
      );
    }
  }

  // 6. An output runs only when it and all its ancestors are clean.
  const good: string[] = [];
  for (const output of outputs) {
    const broken = [...ancestorClosure(nodes, [output])].filter((id) => nodeErrors[id]);
    if (broken.length === 0) good.push(output);
    for (const id of broken) nodeErrors[id].dependent_outputs.push(output);
  }
  if (good.length === 0) {
    const error = validationError('prompt_outputs_failed_validation', 'Prompt outputs failed validation', '');
    return { ok: false, error, nodeErrors };
  }
  return { ok: true, prompt, outputs: good, nodeErrors };
}
