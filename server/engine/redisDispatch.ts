/**
 * Queue mode's dispatch: accepted prompts become BullMQ jobs in Redis (front-queued ones LIFO, so Redis
 * hands them out in the order `/queue` lists them), delete and clear remove waiting jobs, and the local
 * PromptQueue mirrors what Redis holds for `/queue` and `status`. Pending prompts live in Redis, so a
 * restarted server rebuilds its mirror from there (`restore`).
 */
import { type ConnectionOptions, Queue, QueueEvents } from 'bullmq';
import { jobIdFor, PROMPT_QUEUE_NAME, promptJobSchema } from '../../protocol/workerMessages';
import type { PromptDispatch } from './promptDispatch';
import { fromQueueTask, type PromptQueue, type QueueItem, toQueueTask } from './promptQueue';

export interface RedisDispatchOptions {
  connection: ConnectionOptions;
  queue: PromptQueue;
  /** Routes an interrupt to the worker running the prompt. */
  interrupt(promptId?: string): boolean;
  /** BullMQ gave up on a job (lost worker beyond the retry, or the worker threw). */
  onFailed(promptId: string, reason: string): void;
}

const PREFIX = 'prompt-';

export class RedisDispatch implements PromptDispatch {
  private constructor(
    private readonly bull: Queue,
    private readonly events: QueueEvents,
    private readonly options: RedisDispatchOptions,
  ) {}

  static async open(options: RedisDispatchOptions): Promise<RedisDispatch> {
    const bull = new Queue(PROMPT_QUEUE_NAME, { connection: options.connection });
    const events = new QueueEvents(PROMPT_QUEUE_NAME, { connection: options.connection });
    events.on('failed', ({ jobId, failedReason }) => {
      if (jobId.startsWith(PREFIX)) options.onFailed(jobId.slice(PREFIX.length), failedReason);
    });
    await Promise.all([bull.waitUntilReady(), events.waitUntilReady()]);
    return new RedisDispatch(bull, events, options);
  }

  /** Puts every job Redis still holds into the mirror (after a restart): waiting ones pending, active ones running. */
  async restore(): Promise<QueueItem[]> {
    const jobs = await this.bull.getJobs(['active', 'waiting', 'prioritized', 'delayed']);
    const items: QueueItem[] = [];
    for (const job of jobs) {
      const parsed = promptJobSchema.safeParse(job.data);
      if (!parsed.success) continue;
      const item = fromQueueTask(parsed.data.task);
      items.push(item);
      this.options.queue.reserveNumbersUpTo(item.number);
      if (await job.isActive()) this.options.queue.start(item);
      else if (!this.options.queue.has(item.promptId)) this.options.queue.add(item);
    }
    return items;
  }

  async enqueue(item: QueueItem): Promise<void> {
    this.options.queue.add(item);
    try {
      await this.bull.add(
        'prompt',
        { task: toQueueTask(item) },
        { jobId: jobIdFor(item.promptId), lifo: item.number < 0, removeOnComplete: true, removeOnFail: true },
      );
    } catch (err) {
      this.options.queue.delete([item.promptId]);
      throw err;
    }
  }

  async delete(promptIds: readonly string[]): Promise<void> {
    this.options.queue.delete(promptIds);
    for (const id of promptIds) {
      const job = await this.bull.getJob(jobIdFor(id));
      // a job a worker holds (active) cannot be removed; it runs, as a running prompt does in-process
      if (job && !(await job.isActive())) await job.remove().catch(() => undefined);
    }
  }

  async clear(): Promise<void> {
    this.options.queue.clear();
    await this.bull.drain(true);
  }

  interrupt(promptId?: string): boolean {
    return this.options.interrupt(promptId);
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.bull.close();
  }
}
