/** A real studio with the tiny SD model and example training images, and API prompts that train on them. */
import { ensureExampleTrainingImages } from '../../server/training/textualInversion/exampleImages';
import type { StudioOptions } from '../../server/config';
import { ensureTinyModels } from '../../server/sd/tiny/tinyModels';
import { postJson, startTestStudio } from './testStudio';

export type TestStudio = Awaited<ReturnType<typeof startTestStudio>>;

/** A studio whose models/ holds the tiny SD 1.x checkpoint and input/ti-examples the example images. */
export async function startTrainingStudio(
  options: StudioOptions & { root?: string } = {},
): Promise<TestStudio> {
  const studio = await startTestStudio(options);
  await installTrainingFiles(studio);
  return studio;
}

/** Writes the tiny SD 1.x checkpoint into the studio's models/ and the example images into input/ti-examples. */
export async function installTrainingFiles(studio: TestStudio): Promise<void> {
  await ensureTinyModels(studio.dirs.models, { clip: false, demoEmbedding: false });
  await ensureExampleTrainingImages(studio.dirs.input);
}

/** Load → train (tiny, 64 px) → SaveEmbedding; `trainer` and `save` override the node inputs. */
export function trainingPrompt(
  trainer: Record<string, unknown> = {},
  save: Record<string, unknown> = {},
): Record<string, { class_type: string; inputs: Record<string, unknown> }> {
  return {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'tiny-sd.safetensors' } },
    '2': { class_type: 'LoadImagesFromFolder', inputs: { folder: 'ti-examples', size: 64 } },
    '3': {
      class_type: 'TextualInversionTrainer',
      inputs: {
        model: ['1', 0],
        clip: ['1', 1],
        vae: ['1', 2],
        images: ['2', 0],
        token: '<probe>',
        initializer_token: 'toy',
        num_vectors: 1,
        template: 'object',
        steps: 2,
        learning_rate: 0.005,
        batch_size: 1,
        resolution: 64,
        seed: 1,
        gradient_accumulation: 1,
        lr_scheduler: 'constant',
        checkpoint_every: 1,
        preview_every: 0,
        resume: false,
        ...trainer,
      },
    },
    '4': {
      class_type: 'SaveEmbedding',
      inputs: { embedding: ['3', 0], filename: 'probe', destination: 'output', ...save },
    },
  };
}

/** Queues `prompt` and returns its id (throws with the server's answer when refused). */
export async function queuePrompt(studio: TestStudio, prompt: unknown, clientId = 'test'): Promise<string> {
  const response = await postJson(`${studio.url}/prompt`, { prompt, client_id: clientId });
  const body = (await response.json()) as { prompt_id?: string };
  if (response.status !== 200 || !body.prompt_id)
    throw new Error(`POST /prompt answered ${response.status}: ${JSON.stringify(body)}`);
  return body.prompt_id;
}

export interface HistoryItem {
  outputs: Record<string, Record<string, unknown[]>>;
  status: { status_str: string; completed: boolean; messages: [string, Record<string, unknown>][] };
}

/** Polls `GET /history/{id}` until the prompt is recorded. */
export async function waitForHistory(
  studio: TestStudio,
  promptId: string,
  timeoutMs = 120_000,
): Promise<HistoryItem> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await fetch(`${studio.url}/history/${promptId}`)).json()) as Record<
      string,
      HistoryItem
    >;
    if (body[promptId]) return body[promptId];
    if (Date.now() > deadline) throw new Error(`prompt ${promptId} did not finish in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The `execution_error` message of a history item, or undefined. */
export function errorMessageOf(item: HistoryItem): string | undefined {
  const error = item.status.messages.find(([type]) => type === 'execution_error');
  return error ? String(error[1].exception_message) : undefined;
}
