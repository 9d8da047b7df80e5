/** Graph surgery on ONNX models: each helper takes a model and returns a changed copy. */
export {
  graphOf,
  withGraph,
  producerMap,
  consumerMap,
  definedNames,
  defaultOpset,
  type IGraphProto,
} from './graphIndex';
export { inferElementTypes } from './elementTypes';
export { exposeTensors, type ExposeOptions } from './exposeTensors';
export { tensorToInput, type TensorToInputOptions } from './tensorToInput';
export { initializersToInputs } from './initializersToInputs';
export { renameTensors, prefixNames } from './renameTensors';
export { replaceNode, type NodeReplacement } from './replaceNode';
export { mergeModels, type MergeOptions } from './mergeModels';
export { extendModel, type ExtendOptions } from './extendModel';
export { removeDeadNodes, type RemoveDeadOptions } from './removeDeadNodes';
export { constantNodesToInitializers, constantNodeValue } from './constantNodes';
export { foldConstants, foldStaticTensors, isFoldableOp, type FoldOptions } from './foldConstants';
export { bindInputShapes } from './bindInputShapes';
export { foldShapes } from './foldShapes';
export { splitAttentionQueries, type SplitAttentionOptions } from './splitAttentionQueries';
export { evaluateTensors, tensorValueOf } from './evaluateTensors';
export { inlineExternalData } from './inlineExternalData';
export { assertOpsetUpgrade, opsetUpgradeConflicts } from './opsetCompat';
