export type { NamedTensor, WeightSet, TensorSpec } from './types';
export { FlError, ShapeError, OptionError, BackendError } from './errors';
export { SeededRandom } from './random';
export {
  elementCount,
  parameterCount,
  weightSetSpec,
  findTensor,
  requireTensor,
  cloneWeightSet,
  tensorsToWeightSet,
} from './weights';
export {
  ADAPTER_TENSOR_NAMES,
  type AdapterTensors,
  adapterSpec,
  adapterParameterCount,
  initAdapterWeights,
  adapterTensorsFromWeights,
  disposeAdapterTensors,
  l2NormalizeRows,
  adapterAttention,
  applyAdapter,
  adaptFeatures,
  adaptFeatureArray,
} from './adapter';
export { symmetricClipLoss, symmetricClipLossFromLogits, symmetricClipLossGradient } from './loss';
export { type AdamOptions, FEDCLIP_ADAM, CoupledAdam } from './adam';
export { type AdapterObjective, type MatMulMode, type AdapterBatch, type AdapterLossAndGradients, adapterLossAndGradients, defaultMatMulMode } from './adapter-step';
export {
  type TrainProgress,
  type TrainAdapterOptions,
  type TrainAdapterResult,
  TrainingAbortedError,
  trainAdapter,
  batchSizesPerEpoch,
} from './train-adapter';
export { predictWithTextPrototypes, textPrototypeArgmax, accuracy, perClassAccuracy } from './predict';
export { type DistillationOptions, CLIP2FL_KD_DEFAULTS, distillationLoss, distillationGradient, zeroShotLogits } from './kd';
export { type BackendChoice, NODE_BACKEND_ORDER, initNodeTfBackend } from './backends';
export { type WeightingMode, type WeightedUpdate, type StreamingWeightedSumOptions, StreamingWeightedSum, aggregateWeighted, checkSameLayout } from './aggregate';
export { coordinateMedian, trimmedMean, trimmedCount, updateNorm, clipUpdateNorm } from './robust-aggregate';
export { measureUpdate, validateWeightSet, type MeasuredUpdate } from './validate-weights';
export * from './privacy';
export {
  type ShotThresholds,
  type ShotGroup,
  type GroupedAccuracy,
  scaledShotThresholds,
  FASHION_MNIST_LT_SHOT_THRESHOLDS,
  shotGroups,
  groupedAccuracy,
  predictWithBalancedHead,
} from './metrics';
export {
  type LinearClassifier,
  CLASSIFIER_WEIGHT,
  CLASSIFIER_BIAS,
  initLinearClassifier,
  classifierToWeightSet,
  classifierFromWeightSet,
  classifierLogits,
  predictWithClassifier,
} from './clip2fl/linear-classifier';
export {
  type ClassGradient,
  type ClientClassGradientOptions,
  CLASS_GRADIENT_TENSORS,
  classGradientTensors,
  computeClientClassGradients,
  classGradientsToWeightSet,
  classGradientsFromWeightSet,
} from './clip2fl/class-gradients';
export { MATCH_EPS, gradientMatchDistance } from './clip2fl/gradient-matching';
export { PCL_TEMPERATURE, prototypeContrastiveLoss } from './clip2fl/pcl';
export {
  type FeatureBankProgress,
  type FeatureBankUpdateOptions,
  type FeatureBankUpdateResult,
  FEATURE_BANK_TENSOR,
  FederatedFeatureBank,
  updateFeatureBank,
} from './clip2fl/feature-bank';
export { type RetrainClassifierOptions, retrainClassifier } from './clip2fl/retrain-classifier';
export { type ClientModel, type ClientModelInput } from './client-models/client-model';
export { CLIENT_MODELS, type ClientModelId, clientModelFor, largestUpdateBytes } from './client-models/registry';
