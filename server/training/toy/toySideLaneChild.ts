/**
 * The side lane's process (started by toySideLane.ts with its request as the one argument): trains or loads
 * the VAE, its decoder and the scoring CLIP into the shared work folder and reports over IPC. SIGINT, or the
 * parent going away, stops it after the current step with its checkpoint saved.
 */
import { runSideStages, StageRunner, type SideStage } from './toyStageRunner';
import type { SideLaneMessage, SideLaneRequest } from './toySideLane';

const send = (message: SideLaneMessage) =>
  new Promise<void>((resolve, reject) =>
    process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );

async function main(): Promise<void> {
  if (!process.send)
    throw new Error('toySideLaneChild runs as the side lane of npm run models:toy, not alone');
  const request = JSON.parse(process.argv[2] ?? '') as SideLaneRequest;
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  // the parent is gone (killed without a chance to stop us): stop too, checkpoint saved
  process.on('disconnect', () => controller.abort());
  const runner = new StageRunner(request.workDir, (name, event, record) => {
    send({ kind: 'stage', name: name as SideStage, event, record }).catch(() => undefined);
  });
  const done = await runSideStages(request.recipe, runner, {
    workDir: request.workDir,
    threads: request.threads,
    signal: controller.signal,
    onStep: (stage, report) => void send({ kind: 'step', stage, report }).catch(() => undefined),
  });
  await send({ kind: 'end', interrupted: !done });
  if (process.connected) process.disconnect?.();
}

main().catch((error: unknown) => {
  console.error(`error: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
  // the 'disconnect' listener keeps the IPC channel, and so this process, alive until it is closed
  if (process.connected) process.disconnect?.();
});
