/**
 * Runs one validated prompt: signs every needed node, reuses cached outputs, executes the rest in
 * dependency order, and reports ComfyUI's events to a sink. A node failure or an interrupt ends the
 * prompt as data (`ExecutionOutcome`); the executor itself keeps working for the next prompt.
 */
import type { ApiPrompt, NodeUiOutput } from '../../protocol/wireSchemas';
import { ancestorClosure, asLink, dependencyOrder } from './promptGraph';
import { summarizeInputs } from './inputSummary';
import {
  type ExecutionContext,
  ExecutionInterruptedError,
  type ExecutionProvider,
  type NodeDefinition,
  type NodeResult,
  type PreviewImage,
  type StudioDirs,
} from './nodeDefinition';
import type { NodeRegistry } from './nodeRegistry';
import { type CachedResult, nodeSignature, OutputCache } from './outputCache';

/** Where events go (the WebSocket hub routes them to the prompt's client; the CLI prints them). */
export interface ExecutionSink {
  event(type: string, data: Record<string, unknown>): void;
  /** A preview image node `at.node` sent at progress value `at.step`. */
  preview(image: PreviewImage, at: { node: string; step: number }): void;
}

export interface ExecutionTask {
  promptId: string;
  /** Validated prompt (see `validatePrompt`). */
  prompt: ApiPrompt;
  extraData: Record<string, unknown>;
  /** Output node ids to run. */
  outputs: readonly string[];
}

export type HistoryMessage = [string, Record<string, unknown>];

export interface ExecutionOutcome {
  status: 'success' | 'error' | 'interrupted';
  /** UI outputs of output nodes (run or cached). */
  outputs: Record<string, NodeUiOutput>;
  /** The prompt-level events, as history's `status.messages`. */
  messages: HistoryMessage[];
  executed: string[];
  cached: string[];
  meta: Record<string, Record<string, unknown>>;
}

export interface PromptExecutorOptions {
  registry: NodeRegistry;
  dirs: StudioDirs;
  executionProvider: ExecutionProvider;
  cache?: OutputCache;
}

class NodeFailure extends Error {
  constructor(
    readonly nodeId: string,
    override readonly cause: unknown,
    readonly inputs: Record<string, unknown>,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export class PromptExecutor {
  readonly cache: OutputCache;
  private running: { promptId: string; controller: AbortController; node: string | null } | null = null;

  constructor(private readonly options: PromptExecutorOptions) {
    this.cache = options.cache ?? new OutputCache();
  }

  /** Id of the prompt executing now, if any. */
  get runningPromptId(): string | null {
    return this.running?.promptId ?? null;
  }

  /** The node executing now (null between nodes or when idle). */
  get runningNode(): string | null {
    return this.running?.node ?? null;
  }

  /** Interrupts the running prompt (only if it is `promptId`, when given). Returns whether it did. */
  interrupt(promptId?: string): boolean {
    if (!this.running || (promptId !== undefined && promptId !== this.running.promptId)) return false;
    this.running.controller.abort(new ExecutionInterruptedError());
    return true;
  }

  async execute(task: ExecutionTask, sink: ExecutionSink): Promise<ExecutionOutcome> {
    const controller = new AbortController();
    const running = { promptId: task.promptId, controller, node: null as string | null };
    this.running = running;
    const outcome: ExecutionOutcome = {
      status: 'success',
      outputs: {},
      messages: [],
      executed: [],
      cached: [],
      meta: {},
    };
    const record = (type: string, data: Record<string, unknown>): void => {
      const full = { prompt_id: task.promptId, ...data, timestamp: Date.now() };
      outcome.messages.push([type, full]);
      sink.event(type, full);
    };
    const signatures = new Map<string, string>();
    // nodes whose cached result is stale: they and their descendants run again
    const stale = new Set<string>();
    const results = new Map<string, unknown[]>();
    let current: string | null = null;

    record('execution_start', {});
    try {
      const order = dependencyOrder(task.prompt, ancestorClosure(task.prompt, task.outputs));
      for (const id of order) {
        current = id;
        const def = this.definition(task.prompt, id);
        const inputs = task.prompt[id].inputs;
        const literals = Object.fromEntries(Object.entries(inputs).filter(([, v]) => !asLink(v)));
        let changed: unknown;
        try {
          changed = def.isChanged
            ? await def.isChanged(literals, this.context(task, id, controller, sink))
            : undefined;
        } catch (err) {
          throw new NodeFailure(id, err, literals);
        }
        const signature = nodeSignature({ id, def, inputs, changed, known: signatures });
        signatures.set(id, signature);
        if (this.cache.has(signature)) {
          const ctx = this.context(task, id, controller, sink);
          let valid: boolean;
          try {
            valid = await this.cachedResultValid(def, signature, inputs, literals, stale, ctx);
          } catch (err) {
            throw new NodeFailure(id, err, literals);
          }
          if (!valid) {
            this.cache.delete(signature);
            stale.add(id);
          }
        }
      }
      outcome.cached = order.filter((id) => this.cache.has(signatures.get(id) as string));
      record('execution_cached', { nodes: outcome.cached });

      for (const id of order) {
        current = id;
        if (controller.signal.aborted) throw new ExecutionInterruptedError();
        const signature = signatures.get(id) as string;
        const def = this.definition(task.prompt, id);
        let result = this.cache.get(signature);
        if (!result) {
          sink.event('executing', { node: id, display_node: id, prompt_id: task.promptId });
          running.node = id;
          result = await this.runNode(task, id, def, results, controller, sink);
          running.node = null;
          this.cache.set(signature, result);
        }
        results.set(id, result.outputs);
        outcome.executed.push(id);
        if (result.ui) {
          outcome.outputs[id] = result.ui;
          outcome.meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id };
          sink.event('executed', { node: id, display_node: id, output: result.ui, prompt_id: task.promptId });
        }
      }
      record('execution_success', {});
    } catch (err) {
      const interrupted = controller.signal.aborted || err instanceof ExecutionInterruptedError;
      const failedId = err instanceof NodeFailure ? err.nodeId : current;
      const nodeType = failedId ? (task.prompt[failedId]?.class_type ?? null) : null;
      if (interrupted) {
        outcome.status = 'interrupted';
        const cause = err instanceof NodeFailure ? err.cause : err;
        if (failedId && cause instanceof ExecutionInterruptedError && cause.partialUi) {
          outcome.outputs[failedId] = cause.partialUi;
          outcome.meta[failedId] = {
            node_id: failedId,
            display_node: failedId,
            parent_node: null,
            real_node_id: failedId,
          };
        }
        record('execution_interrupted', {
          node_id: failedId,
          node_type: nodeType,
          executed: [...outcome.executed],
        });
      } else {
        outcome.status = 'error';
        const cause = err instanceof NodeFailure ? err.cause : err;
        const error = cause instanceof Error ? cause : new Error(String(cause));
        record('execution_error', {
          node_id: failedId ?? '',
          node_type: nodeType ?? '',
          executed: [...outcome.executed],
          exception_message: error.message,
          exception_type: error.name,
          traceback: (error.stack ?? error.message).split('\n'),
          current_inputs: err instanceof NodeFailure ? summarizeInputs(err.inputs) : {},
          current_outputs: [...results.keys()],
        });
      }
    } finally {
      // a failed prompt keeps only what was cached before it: its own intermediates are freed
      const kept =
        outcome.status === 'error'
          ? outcome.cached.map((id) => signatures.get(id))
          : [...signatures.values()];
      this.cache.retainOnly(new Set(kept.filter((s): s is string => s !== undefined)));
      this.running = null;
    }
    return outcome;
  }

  private async cachedResultValid(
    def: NodeDefinition,
    signature: string,
    inputs: Record<string, unknown>,
    literals: Record<string, unknown>,
    stale: ReadonlySet<string>,
    ctx: ExecutionContext,
  ): Promise<boolean> {
    if (
      Object.values(inputs).some((v) => {
        const link = asLink(v);
        return link !== null && stale.has(link[0]);
      })
    )
      return false;
    const cached = this.cache.get(signature);
    if (!cached || !def.cachedResultValid) return true;
    return def.cachedResultValid(cached, literals, ctx);
  }

  private definition(prompt: ApiPrompt, id: string): NodeDefinition {
    const def = this.options.registry.get(prompt[id].class_type);
    if (!def)
      throw new Error(
        `node ${id} has unknown class_type "${prompt[id].class_type}"; validate the prompt first`,
      );
    return def;
  }

  private async runNode(
    task: ExecutionTask,
    id: string,
    def: NodeDefinition,
    results: ReadonlyMap<string, unknown[]>,
    controller: AbortController,
    sink: ExecutionSink,
  ): Promise<CachedResult> {
    const declared: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(task.prompt[id].inputs)) {
      const link = asLink(value);
      declared[name] = link ? results.get(link[0])?.[link[1]] : value;
    }
    const hidden: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(def.inputs.hidden ?? {})) {
      if (kind === 'PROMPT') hidden[name] = task.prompt;
      else if (kind === 'EXTRA_PNGINFO') hidden[name] = task.extraData.extra_pnginfo;
      else hidden[name] = id;
    }
    let result: NodeResult;
    try {
      result = await def.execute({ ...declared, ...hidden }, this.context(task, id, controller, sink));
    } catch (err) {
      throw new NodeFailure(id, err, declared);
    }
    const outputs = result.outputs ?? [];
    if (outputs.length !== def.outputs.length) {
      const message = `node ${id} (${def.type}) returned ${outputs.length} output(s) but declares ${def.outputs.length}; fix its execute()`;
      throw new NodeFailure(id, new Error(message), declared);
    }
    return result.ui ? { outputs, ui: result.ui } : { outputs };
  }

  private context(
    task: ExecutionTask,
    id: string,
    controller: AbortController,
    sink: ExecutionSink,
  ): ExecutionContext {
    const { signal } = controller;
    return {
      nodeId: id,
      promptId: task.promptId,
      signal,
      dirs: this.options.dirs,
      executionProvider: this.options.executionProvider,
      progress: (value, max, preview) => {
        sink.event('progress', { value, max, prompt_id: task.promptId, node: id });
        if (preview) sink.preview(preview, { node: id, step: value });
      },
      emit: (type, data) => sink.event(type, { ...data, prompt_id: task.promptId, node: id }),
      throwIfInterrupted: () => {
        if (signal.aborted) throw new ExecutionInterruptedError();
      },
    };
  }
}
