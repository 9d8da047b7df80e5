/** Runs prompts through the real validator and executor with test nodes, recording every event. */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NodeDefinition, PreviewImage } from '../../server/engine/nodeDefinition';
import { NodeRegistry } from '../../server/engine/nodeRegistry';
import {
  type ExecutionOutcome,
  type ExecutionSink,
  PromptExecutor,
} from '../../server/engine/promptExecutor';
import { validatePrompt } from '../../server/engine/validatePrompt';
import { prepareStudioDirs, resolveStudioDirs } from '../../server/storage/studioDirs';
import { silentLogger } from '../../server/config';
import { ensureTinyModels } from '../../server/sd/tiny/tinyModels';
import { runStartupTasks } from '../../server/startupTasks';
import { ensureExampleTrainingImages } from '../../server/training/textualInversion/exampleImages';

export interface RecordedEvent {
  type: string;
  data: Record<string, unknown>;
}

export class RecordingSink implements ExecutionSink {
  readonly events: RecordedEvent[] = [];
  readonly previews: PreviewImage[] = [];
  event(type: string, data: Record<string, unknown>): void {
    this.events.push({ type, data });
  }
  preview(image: PreviewImage): void {
    this.previews.push(image);
  }
  of(type: string): Record<string, unknown>[] {
    return this.events.filter((e) => e.type === type).map((e) => e.data);
  }
  /** Node ids announced by `executing` events. */
  executedNodes(): unknown[] {
    return this.of('executing').map((d) => d.node);
  }
}

export interface HarnessOptions {
  /** Create the embedded tiny models (checkpoint, tokenizer, scoring CLIP, demo embedding) first. */
  readonly tinyModels?: boolean;
  /**
   * Run the studio's default startup tasks: the embedded toy shapes models copied from the repo's models/,
   * and the example training images.
   */
  readonly startupTasks?: boolean;
}

export async function createHarness(nodes: NodeDefinition[], options: HarnessOptions = {}) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'studio-engine-'));
  const dirs = resolveStudioDirs(path.join(root, 'data'), path.join(root, 'models'));
  await prepareStudioDirs(dirs);
  if (options.tinyModels) {
    await ensureTinyModels(dirs.models);
    await ensureExampleTrainingImages(dirs.input);
  }
  if (options.startupTasks) await runStartupTasks({ dirs, executionProvider: 'cpu', log: silentLogger });
  const registry = new NodeRegistry(nodes, { dirs });
  const executor = new PromptExecutor({ registry, dirs, executionProvider: 'cpu' });
  let counter = 0;
  /** Validates (must pass) and executes; returns the outcome and the sink. */
  const run = async (
    prompt: unknown,
    sink = new RecordingSink(),
  ): Promise<{ outcome: ExecutionOutcome; sink: RecordingSink }> => {
    const validation = await validatePrompt(prompt, registry);
    if (!validation.ok) throw new Error(`test prompt failed validation: ${JSON.stringify(validation)}`);
    counter += 1;
    const outcome = await executor.execute(
      { promptId: `p${counter}`, prompt: validation.prompt, extraData: {}, outputs: validation.outputs },
      sink,
    );
    return { outcome, sink };
  };
  return { root, dirs, registry, executor, run };
}
