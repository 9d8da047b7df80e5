/**
 * How a graph node is declared. Every node in `nodes/` is one `defineNode({...})` call; the registry,
 * `/object_info`, validation and the executor all read these declarations and nothing else.
 */

import type { StudioDirs } from '../storage/studioDirs';

export type { StudioDirs };

export type ExecutionProvider = 'cpu' | 'cuda';

/** Options of an input; the same names ComfyUI's `/object_info` uses. */
export interface InputOptions {
  default?: unknown;
  min?: number;
  max?: number;
  step?: number;
  /** FLOAT rounding precision; `false` disables rounding. */
  round?: number | false;
  multiline?: boolean;
  tooltip?: string;
  /** Show an upload button on this combo (LoadImage). */
  image_upload?: boolean;
  /** Adds the "control after generate" widget (fixed/increment/decrement/randomize) after this INT. */
  control_after_generate?: boolean;
  /** Never show a widget; the value must come from a link. */
  forceInput?: boolean;
}

/** What a dynamic combo list may read (e.g. `ctx.dirs.models` to list checkpoints). */
export interface ComboContext {
  dirs: StudioDirs;
}

/** Choices of a combo; a function is evaluated for `/object_info` and validation (e.g. file lists). */
export type ComboChoices =
  readonly string[] | ((ctx: ComboContext) => readonly string[] | Promise<readonly string[]>);

/** `[type, options?]` (INT, FLOAT, STRING, BOOLEAN, IMAGE, …) or a combo `[choices, options?]`. */
export type InputSpec =
  readonly [type: string, options?: InputOptions] | readonly [choices: ComboChoices, options?: InputOptions];

/** Values the executor supplies for hidden inputs. */
export type HiddenInputKind = 'PROMPT' | 'EXTRA_PNGINFO' | 'UNIQUE_ID';

export interface NodeInputs {
  required?: Record<string, InputSpec>;
  optional?: Record<string, InputSpec>;
  hidden?: Record<string, HiddenInputKind>;
}

export interface NodeOutputSpec {
  type: string;
  name?: string;
  isList?: boolean;
}

/** What `execute` returns: positional outputs and, for output nodes, what the UI shows. */
export interface NodeResult {
  outputs?: unknown[];
  /** e.g. `{ images: [{ filename, subfolder, type }] }`. */
  ui?: Record<string, unknown[]>;
}

export interface PreviewImage {
  format: 'PNG' | 'JPEG';
  data: Uint8Array;
}

/** Everything a running node may use besides its inputs. */
export interface ExecutionContext {
  nodeId: string;
  promptId: string;
  /** Aborted when the prompt is interrupted; long loops pass it on or call `throwIfInterrupted`. */
  signal: AbortSignal;
  /** Report progress (`progress` event) and optionally a preview image (binary frame). */
  progress(value: number, max: number, preview?: PreviewImage): void;
  /** A custom WebSocket event to the prompt's client: `{type, data: {...data, prompt_id, node}}`. */
  emit(type: string, data: Record<string, unknown>): void;
  dirs: StudioDirs;
  executionProvider: ExecutionProvider;
  /** Throws `ExecutionInterruptedError` when the prompt was interrupted. */
  throwIfInterrupted(): void;
}

/** A node declaration. */
export interface NodeDefinition {
  /** Class name, unique (`class_type` in prompts). */
  type: string;
  displayName?: string;
  category: string;
  description?: string;
  inputs: NodeInputs;
  outputs: readonly NodeOutputSpec[];
  /** Output nodes are what a prompt runs (with their ancestors). */
  outputNode?: boolean;
  /** Extra check on the validated literal inputs; a string becomes `custom_validation_failed`. */
  validateInputs?(inputs: Record<string, unknown>): true | string;
  /**
   * Part of the cache signature, computed before the prompt runs from the node's literal inputs
   * (linked inputs are absent). Return e.g. a file hash; return `NaN` to always re-run.
   */
  isChanged?(inputs: Record<string, unknown>, ctx: ExecutionContext): unknown | Promise<unknown>;
  /**
   * Values (pixels × batch × channels) of the largest tensor the node allocates, from its validated literal
   * inputs; validation refuses the prompt when it exceeds the studio's `--max-pixels` budget.
   */
  tensorValues?(inputs: Record<string, unknown>, ctx: ComboContext | undefined): number | Promise<number>;
  /**
   * What the node writes that no other node of the same prompt may write too (e.g. a trainer's checkpoint
   * folder), from its validated literal inputs; validation refuses every node of a prompt that shares one.
   */
  writesTo?(inputs: Record<string, unknown>): string | undefined;
  /**
   * Asked before a cached result is reused, with the node's literal inputs: false when what the node made
   * is gone (a deleted checkpoint or saved file), and the node and its descendants run again.
   */
  cachedResultValid?(
    result: NodeResult,
    inputs: Record<string, unknown>,
    ctx: ExecutionContext,
  ): boolean | Promise<boolean>;
  execute(inputs: Record<string, unknown>, ctx: ExecutionContext): Promise<NodeResult> | NodeResult;
}

/** Thrown by `ctx.throwIfInterrupted()`; the executor turns it into `execution_interrupted`. */
export class ExecutionInterruptedError extends Error {
  /** `partialUi`: what the node made before it stopped (e.g. a trainer's loss curve), kept in history. */
  constructor(
    message = 'Processing interrupted',
    readonly partialUi?: Record<string, unknown[]>,
  ) {
    super(message);
    this.name = 'ExecutionInterruptedError';
  }
}

/** Declares a node. Returns the declaration unchanged (typed); list it in `nodes/index.ts`. */
export function defineNode(def: NodeDefinition): NodeDefinition {
  return def;
}
