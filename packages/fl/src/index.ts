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
  trainClipAdapter,
  batchSizesPerEpoch,
} from './train-adapter';
export { type TrainHeadOptions, type TrainHeadResult, trainHead } from './train-head';
export { type FeatureHead } from './feature-head';
export { FEDCLIP_ATTENTION_HEAD, CLIP_ADAPTER_HEAD, FEATURE_HEADS } from './feature-heads';
export { adaptFeatureArrayWithHead, adaptFeatureArrayWithClipAdapter, predictWithHead, headArgmax } from './head-inference';
export { embeddingLossAndGradient } from './head-objective';
export {
  CLIP_ADAPTER_TENSOR_NAMES,
  CLIP_ADAPTER_RATIO,
  CLIP_ADAPTER_REDUCTION,
  type ClipAdapterTensors,
  clipAdapterHiddenDim,
  clipAdapterSpec,
  clipAdapterParameterCount,
  initClipAdapterWeights,
  clipAdapterTensorsFromWeights,
  disposeClipAdapterTensors,
  clipAdapterResidual,
  applyClipAdapter,
  adaptFeaturesWithClipAdapter,
} from './clip-adapter';
export { type ClipAdapterLossAndGradients, clipAdapterLossAndGradients } from './clip-adapter-step';
export { predictWithTextPrototypes, textPrototypeArgmax, predictWithBalancedHead } from './predict';
export { type DistillationOptions, CLIP2FL_KD_DEFAULTS, distillationLoss, distillationGradient, zeroShotLogits } from './kd';
export { type NodeTfBackend, NODE_BACKEND_ORDER, initNodeTfBackend } from './backends';
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
  accuracy,
  perClassAccuracy,
} from './accuracy';
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
export {
  type ClientModel,
  type ClientModelInput,
  type ClientModelContext,
  type ClientModelData,
  type ClientModelOutputs,
  type ClientModelTrainOptions,
  type ClientModelTrainResult,
  type FeatureScale,
} from './client-models/client-model';
export { featureHeadModel, nearestPrototype } from './client-models/feature-head-model';
export { studentConfigFor } from './client-models/student-resnet8';
export { CLIENT_MODELS, type ClientModelId, clientModelFor, largestUpdateBytes, largestFeatureDim } from './client-models/registry';
export { type PixelFormat, FASHION_MNIST_PIXELS, rgbPixelFormat, validatePixelFormat, preprocessPixels } from './pixels';
export {
  type StudentConfig,
  type StudentLayout,
  STUDENT_DEFAULT_WIDTHS,
  STUDENT_FEATURE_DIM,
  studentLayout,
  studentSpec,
  studentParameterCount,
  initStudentWeights,
  isRunningStatistic,
} from './student/student-spec';
export { type StudentParams, type StudentOutput, type BatchStatistics, type Convolution, uploadStudent, studentForward, pixelsTensor } from './student/student-forward';
export { forwardConvolution, tfConvolution, studentOutputs, studentFeatures, predictWithStudent, logitsArgmax, studentClassGradients } from './student/student-inference';
export { type TrainStudentOptions, type TrainStudentResult, trainStudent, studentLossAndGradients } from './student/train-student';
export { type GatherMode, defaultGatherMode, conv2dIm2col } from './student/im2col-conv';
