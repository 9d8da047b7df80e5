/**
 * Child-process entry of the training-step build (see trainingStepBuild.ts): opens the model as the
 * parent did, builds and optimises the step graph, publishes the optimized model in the cache folder and
 * exits, taking the build's memory with it.
 *
 *   node --import tsx trainingStepBuildChild.ts '<StepBuildRequest JSON>'
 */
import { loadFrozenModel } from '../../sd/model/loadFrozenModel';
import { trainableModelFromFrozen } from './trainableModel';
import { buildStepSessionInProcess, stepBuildRequestSchema } from './trainingStepBuild';

const request = stepBuildRequestSchema.parse(JSON.parse(process.argv[2] ?? 'null'));
const { source, shape, provider, folder, providers } = request;
const frozen = await loadFrozenModel(source.path, { ...source, provider });
const session = await buildStepSessionInProcess(trainableModelFromFrozen(frozen), shape, provider, folder, {
  providers,
  builtIn: 'child process',
});
await session.release();
await frozen.close();
