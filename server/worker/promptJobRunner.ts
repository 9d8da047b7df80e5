/**
 * What a worker does with one prompt job from Redis: tell the server it started, mirror the inputs and
 * embeddings it may read, check the prompt against this worker's own models (a missing model fails the
 * prompt with an error naming the worker), run it through the same PromptExecutor as the in-process
 * studio with its events streamed to the server, upload what it wrote, then hand over the outcome and
 * wait until the server has recorded it.
 */
import type { ApiPrompt, ValidationError } from '../../protocol/wireSchemas';
import type { PromptJob } from '../../protocol/workerMessages';
import type { NodeRegistry } from '../engine/nodeRegistry';
import type {
  ExecutionOutcome,
  ExecutionSink,
  HistoryMessage,
  PromptExecutor,
} from '../engine/promptExecutor';
import { fromQueueTask, type QueueItem } from '../engine/promptQueue';
import { validatePrompt } from '../engine/validatePrompt';
import { type FolderRoots, mirrorFromServer, OutputUploader } from './folderSync';
import type { ServerChannel } from './serverChannel';

export interface PromptJobRunnerOptions {
  name: string;
  channel: ServerChannel;
  registry: NodeRegistry;
  executor: PromptExecutor;
  roots: FolderRoots;
  /** Server folders (under output/) a prompt needs before it runs, e.g. a training run's checkpoints. */
  outputsToMirror?: (item: QueueItem) => string[];
  /** The prompt to run when a lost worker ran it before (trainers resume from their checkpoints). */
  onRetry?: (prompt: ApiPrompt) => Promise<ApiPrompt>;
  /** Upload what a running prompt wrote at most this often (training checkpoints reach the server mid-run). */
  uploadEveryMs?: number;
}

export class PromptJobRunner {
  private readonly uploader: OutputUploader;

  constructor(private readonly options: PromptJobRunnerOptions) {
    this.uploader = new OutputUploader(options.channel, options.roots);
  }

  async run(
    job: PromptJob,
    attempt: { retry: boolean } = { retry: false },
  ): Promise<ExecutionOutcome['status']> {
    const { channel, executor, roots } = this.options;
    const item = fromQueueTask(job.task);
    channel.send({ kind: 'start', task: job.task });
    await mirrorFromServer(channel, roots, 'input');
    await mirrorFromServer(channel, roots, 'embeddings');
    for (const under of this.options.outputsToMirror?.(item) ?? [])
      await mirrorFromServer(channel, roots, 'output', under);
    await this.uploader.markCurrent();

    const refusal = await this.refusal(item);
    if (refusal) return this.finish(item, refusal);
    const prompt =
      attempt.retry && this.options.onRetry ? await this.options.onRetry(item.prompt) : item.prompt;

    let chain = Promise.resolve();
    let lastUpload = Date.now();
    const later = (step: () => Promise<void> | void): void => {
      chain = chain.then(step);
    };
    const sink: ExecutionSink = {
      event: (type, data) =>
        later(async () => {
          // files an `executed` output names must be on the server before the client asks for them
          if (type === 'executed' || Date.now() - lastUpload >= (this.options.uploadEveryMs ?? 1000)) {
            lastUpload = Date.now();
            await this.uploader.upload();
          }
          channel.send({ kind: 'event', prompt_id: item.promptId, type, data: this.uploader.renamed(data) });
        }),
      preview: (image, at) =>
        later(() =>
          channel.send({
            kind: 'preview',
            prompt_id: item.promptId,
            format: image.format,
            data: Buffer.from(image.data).toString('base64'),
            node: at.node,
            step: at.step,
          }),
        ),
    };
    const outcome = await executor.execute(
      { promptId: item.promptId, prompt, extraData: item.extraData, outputs: item.outputs },
      sink,
    );
    await chain;
    return this.finish(item, outcome);
  }

  private async finish(
    item: QueueItem,
    outcome: Pick<ExecutionOutcome, 'status' | 'outputs' | 'messages' | 'meta'>,
  ): Promise<ExecutionOutcome['status']> {
    await this.uploader.upload();
    await this.options.channel.finish({
      kind: 'finished',
      prompt_id: item.promptId,
      status: outcome.status,
      outputs: this.uploader.renamed(outcome.outputs),
      messages: outcome.messages,
      meta: outcome.meta,
    });
    return outcome.status;
  }

  /** The prompt as this worker's models see it: an error outcome naming the worker when it cannot run it. */
  private async refusal(item: QueueItem): Promise<Omit<ExecutionOutcome, 'executed' | 'cached'> | null> {
    const validation = await validatePrompt(item.prompt, this.options.registry, { targets: item.outputs });
    const problems: string[] = [];
    const describe = (e: ValidationError): string => `${e.message}${e.details ? ` (${e.details})` : ''}`;
    if (!validation.ok) problems.push(describe(validation.error));
    for (const [node, errors] of Object.entries(validation.nodeErrors))
      for (const e of errors.errors) problems.push(`node ${node} (${errors.class_type}): ${describe(e)}`);
    if (problems.length === 0) return null;
    const failedNode = Object.keys(validation.nodeErrors)[0] ?? '';
    const message = `worker "${this.options.name}" cannot run this prompt: ${problems.join('; ')}; copy the missing models into that worker's --models-dir`;
    const timestamp = Date.now();
    const start: HistoryMessage = ['execution_start', { prompt_id: item.promptId, timestamp }];
    const error: HistoryMessage = [
      'execution_error',
      {
        prompt_id: item.promptId,
        node_id: failedNode,
        node_type: validation.nodeErrors[failedNode]?.class_type ?? '',
        executed: [],
        exception_message: message,
        exception_type: 'WorkerMissingModel',
        traceback: [],
        current_inputs: {},
        current_outputs: [],
        timestamp,
      },
    ];
    for (const [type, data] of [start, error])
      this.options.channel.send({ kind: 'event', prompt_id: item.promptId, type, data });
    return { status: 'error', outputs: {}, messages: [start, error], meta: {} };
  }
}
