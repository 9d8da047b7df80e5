/**
 * `npm run worker`: one queue-mode worker. Takes prompt jobs from Redis (BullMQ, one at a time), runs
 * them with the studio's own nodes and executor on this machine's models, and streams everything back to
 * the server over the authenticated worker channel. Refuses to start without the shared secret.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'bullmq';
import { PROMPT_QUEUE_NAME, promptJobSchema } from '../protocol/workerMessages';
import { resolveExecutionProvider } from './config';
import type { NodeDefinition } from './engine/nodeDefinition';
import { NodeRegistry } from './engine/nodeRegistry';
import { PromptExecutor } from './engine/promptExecutor';
import { redisConnection } from './engine/redisConnection';
import { prepareStudioDirs, resolveStudioDirs, workerFolderRoot } from './storage/studioDirs';
import { PromptJobRunner } from './worker/promptJobRunner';
import { ServerChannel } from './worker/serverChannel';
import { parseWorkerArgs, WORKER_USAGE } from './worker/workerArgs';

async function main(): Promise<void> {
  const args = parseWorkerArgs(process.argv.slice(2), process.env);
  if (args.help) {
    console.log(WORKER_USAGE);
    return;
  }
  const connection = redisConnection(args.queue);
  const executionProvider = resolveExecutionProvider(args.executionProvider);
  const dirs = resolveStudioDirs(args.dataDir, args.modelsDir);
  await prepareStudioDirs(dirs);
  const name = args.name ?? `${os.hostname()}-${process.pid}`;
  const cpus = os.cpus();
  const device =
    executionProvider === 'cuda' ? 'cuda:0' : `cpu: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`;
  // the secret is checked before the nodes (and onnxruntime) load, so a refused worker stops at once
  let executor: PromptExecutor | undefined;
  const channel = new ServerChannel(args.server, args.secret, {
    name,
    device,
    execution_provider: executionProvider,
  });
  channel.onInterrupt = (promptId) => executor?.interrupt(promptId);
  channel.onFatal = (err) => {
    console.error(`error: ${err.message}`);
    process.exit(1);
  };
  await channel.checkSecret();

  const { nodeDefinitions } = await import('../nodes');
  const { resumeTrainersFromCheckpoints, trainingFoldersOf } = await import('./workerTrainingResume');
  const extraNodes: NodeDefinition[] = [];
  for (const file of args.extraNodes) {
    const loaded = (await import(pathToFileURL(path.resolve(file)).href)) as { nodes?: NodeDefinition[] };
    if (!Array.isArray(loaded.nodes))
      throw new Error(
        `--extra-nodes ${file}: the module exports no \`nodes\` array; export const nodes = [defineNode(…)]`,
      );
    extraNodes.push(...loaded.nodes);
  }
  const registry = new NodeRegistry([...nodeDefinitions, ...extraNodes], { dirs });
  executor = new PromptExecutor({ registry, dirs, executionProvider });
  const runner = new PromptJobRunner({
    name,
    channel,
    registry,
    executor,
    roots: { root: (folder) => workerFolderRoot(dirs, folder) },
    outputsToMirror: (item) => trainingFoldersOf(item.prompt, dirs.output),
    onRetry: (prompt) => resumeTrainersFromCheckpoints(prompt, dirs.output),
    uploadEveryMs: args.uploadEveryMs,
  });
  const worker = new Worker(
    PROMPT_QUEUE_NAME,
    (job) =>
      runner.run(promptJobSchema.parse(job.data), {
        retry: job.attemptsStarted > 1 || job.stalledCounter > 0,
      }),
    {
      connection,
      autorun: false,
      concurrency: 1,
      lockDuration: args.lockMs,
      // a lost worker's prompt is noticed within about lockMs + 2 × stalledInterval
      stalledInterval: Math.min(5000, Math.max(500, Math.floor(args.lockMs / 4))),
      // a prompt whose worker is lost runs once more elsewhere; lost twice, it fails
      maxStalledCount: 1,
    },
  );
  worker.on('error', (err) => console.error(`error: ${err.message}`));
  await worker.waitUntilReady();
  await channel.start();
  worker.run().catch((err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
  console.log(
    `worker ${name} (${device}, ${executionProvider}) takes prompts from ${args.queue} for ${args.server}`,
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal}: finishing the running prompt, then stopping…`);
    worker.close().then(
      () => {
        channel.close();
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
