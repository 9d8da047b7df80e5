/**
 * Headless execution of a workflow file (UI JSON, API JSON, or a PNG saved by SaveImage) through the same
 * validator and executor the server uses, reporting progress as text lines.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { nodeDefinitions } from '../../nodes';
import {
  type ExecutionProviderChoice,
  resolveExecutionProvider,
  silentLogger,
  type StudioLogger,
} from '../config';
import type { NodeDefinition } from '../engine/nodeDefinition';
import { NodeRegistry } from '../engine/nodeRegistry';
import { type ExecutionOutcome, PromptExecutor } from '../engine/promptExecutor';
import { validatePrompt } from '../engine/validatePrompt';
import { workflowToPrompt } from '../../protocol/workflowToPrompt';
import { type ApiPrompt, type NodeErrors, uiWorkflowSchema } from '../../protocol/wireSchemas';
import { runStartupTasks } from '../startupTasks';
import { readPngTextChunks } from '../../protocol/pngTextChunks';
import { prepareStudioDirs, resolveStudioDirs } from '../storage/studioDirs';

export interface RunWorkflowOptions {
  /** Where SaveImage writes; default `<data-dir>/output`. */
  outDir?: string;
  dataDir?: string;
  modelsDir?: string;
  executionProvider?: ExecutionProviderChoice;
  nodes?: readonly NodeDefinition[];
  runStartupTasks?: boolean;
  logger?: StudioLogger;
  /** Aborts the run (Ctrl+C). */
  signal?: AbortSignal;
}

export interface RunWorkflowResult {
  ok: boolean;
  outcome?: ExecutionOutcome;
  /** Absolute paths of files the output nodes wrote. */
  files: string[];
}

interface LoadedWorkflow {
  prompt: unknown;
  workflow?: unknown;
}

async function loadWorkflowFile(
  file: string,
  registry: NodeRegistry,
  print: (line: string) => void,
): Promise<LoadedWorkflow> {
  const bytes = await readFile(file);
  if (file.toLowerCase().endsWith('.png')) {
    const texts = readPngTextChunks(bytes);
    if (!texts.prompt)
      throw new Error(`${file} has no "prompt" text chunk; only PNGs written by SaveImage can be run`);
    return {
      prompt: JSON.parse(texts.prompt),
      workflow: texts.workflow ? JSON.parse(texts.workflow) : undefined,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const ui = uiWorkflowSchema.safeParse(json);
  if (!ui.success) return { prompt: json };
  const { prompt, warnings } = workflowToPrompt(ui.data, await registry.objectInfo());
  for (const warning of warnings) print(`warning: ${warning}`);
  return { prompt, workflow: json };
}

export function formatNodeErrors(nodeErrors: NodeErrors): string[] {
  return Object.entries(nodeErrors).flatMap(([id, entry]) =>
    entry.errors.map(
      (e) =>
        `  node ${id} (${entry.class_type}): ${e.type}: ${e.message}${e.details ? ` — ${e.details}` : ''}`,
    ),
  );
}

/** Runs `file`; every line of progress goes to `print`. Never throws for a workflow problem. */
export async function runWorkflowFile(
  file: string,
  options: RunWorkflowOptions,
  print: (line: string) => void,
): Promise<RunWorkflowResult> {
  const dirs = resolveStudioDirs(options.dataDir ?? 'data', options.modelsDir ?? 'models');
  if (options.outDir) dirs.output = path.resolve(options.outDir);
  const executionProvider = resolveExecutionProvider(options.executionProvider ?? 'auto');
  await prepareStudioDirs(dirs, { clearTemp: false });
  if (options.runStartupTasks ?? true)
    await runStartupTasks({ dirs, executionProvider, log: options.logger ?? silentLogger });
  const registry = new NodeRegistry(options.nodes ?? nodeDefinitions, { dirs });

  let loaded: LoadedWorkflow;
  try {
    loaded = await loadWorkflowFile(path.resolve(file), registry, print);
  } catch (err) {
    print(`error: ${err instanceof Error ? err.message : String(err)}`);
    return { ok: false, files: [] };
  }
  const validation = await validatePrompt(loaded.prompt, registry);
  if (!validation.ok) {
    const { type, message, details } = validation.error;
    const nodeLines = formatNodeErrors(validation.nodeErrors);
    print(`error: ${type}: ${message}${details && nodeLines.length === 0 ? ` — ${details}` : ''}`);
    for (const line of nodeLines) print(line);
    return { ok: false, files: [] };
  }
  if (Object.keys(validation.nodeErrors).length > 0) {
    print('warning: some outputs failed validation and will not run:');
    for (const line of formatNodeErrors(validation.nodeErrors)) print(line);
  }

  const prompt: ApiPrompt = validation.prompt;
  const executor = new PromptExecutor({ registry, dirs, executionProvider });
  const onAbort = (): void => void executor.interrupt();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const label = (id: unknown): string => `${String(id)} ${prompt[String(id)]?.class_type ?? ''}`.trim();
  let lastPercent = -1;
  const outcome = await executor.execute(
    {
      promptId: 'cli',
      prompt,
      extraData: loaded.workflow ? { extra_pnginfo: { workflow: loaded.workflow } } : {},
      outputs: validation.outputs,
    },
    {
      event: (type, data) => {
        if (type === 'execution_cached' && Array.isArray(data.nodes) && data.nodes.length)
          print(`cached: ${data.nodes.join(', ')}`);
        else if (type === 'executing') {
          lastPercent = -1;
          print(`[${label(data.node)}] running`);
        } else if (type === 'progress') {
          const percent = Math.floor((100 * Number(data.value)) / Math.max(1, Number(data.max)));
          if (percent !== lastPercent)
            print(`[${label(data.node)}] ${String(data.value)}/${String(data.max)}`);
          lastPercent = percent;
        } else if (type === 'execution_error') {
          print(
            `error in [${label(data.node_id)}]: ${String(data.exception_type)}: ${String(data.exception_message)}`,
          );
          print(`  inputs: ${JSON.stringify(data.current_inputs)}`);
        } else if (type === 'execution_interrupted') print('interrupted');
      },
      preview: () => undefined,
    },
  );
  options.signal?.removeEventListener('abort', onAbort);

  const files: string[] = [];
  for (const ui of Object.values(outcome.outputs)) {
    for (const ref of ui.images ?? []) {
      const r = ref as { filename: string; subfolder: string; type: 'output' | 'temp' | 'input' };
      files.push(path.join(dirs[r.type], r.subfolder, r.filename));
    }
  }
  for (const f of files) print(`wrote ${f}`);
  print(outcome.status === 'success' ? 'done' : `failed (${outcome.status})`);
  return { ok: outcome.status === 'success', outcome, files };
}
