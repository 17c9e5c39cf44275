import { ShapeError } from '../errors';
import type { DistillationOptions } from '../kd';
import type { PixelFormat } from '../pixels';
import type { TrainProgress } from '../train-head';
import type { TensorSpec, WeightSet } from '../types';

/** What a client must hold for a model: CLIP features encoded once, the preprocessed pixels, or both. */
export type ClientModelInput = 'clip-features' | 'pixels';

/** What a model is built for: the run's CLIP, its classes and its images. */
export interface ClientModelContext {
  /** The CLIP embedding size d (image features and text embeddings). */
  embedDim: number;
  numClasses: number;
  /** How the run's images are given to a pixel-reading model (`preprocessPixels`). */
  pixels: PixelFormat;
}

/**
 * One client's images (or one evaluation set), in the forms the model's `inputs` name; the text embeddings of the
 * class prompts travel with them.
 */
export interface ClientModelData {
  /** Raw CLIP image features [n, embedDim]. */
  clipFeatures?: Float32Array;
  /** Preprocessed pixels [n, H, W, C] (preprocessPixels with the context's format). */
  pixels?: Float32Array;
  /** CLIP text embeddings of the class prompts [C, embedDim]. */
  textEmbeddings: Float32Array;
}

/** What a model makes of its data, in one pass. */
export interface ClientModelOutputs {
  /**
   * The features CLIP2FL's balanced classifier R scores, [n, featureDim]: the adapted, L2-normalised CLIP features
   * of an adapter, the feature layer of the student.
   */
  features: Float32Array;
  /** The model's own prediction: the nearest text prototype for an adapter, the student's own (FedAvg) classifier. */
  predictions: Int32Array;
}

export interface ClientModelTrainOptions {
  /** The round's global weights; never modified. */
  weights: WeightSet;
  context: ClientModelContext;
  data: ClientModelData;
  labels: Int32Array;
  epochs: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  /** Seeds the per-epoch shuffles. */
  seed: number;
  /** The adapters' objective (`clip` or `class-ce`); a model with a classifier of its own trains by cross-entropy. */
  objective?: 'clip' | 'class-ce';
  /** Distillation from zero-shot CLIP logits [n, C] (CLIP2FL's KD). */
  kd?: DistillationOptions;
  onStep?: (progress: TrainProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface ClientModelTrainResult {
  weights: WeightSet;
  meanLoss: number;
  steps: number;
  /** Accuracy of the model's own prediction on the training data. */
  trainAccuracy: number;
}

/**
 * A model the clients train and the server aggregates, used the same way by the server (init, evaluation, the
 * update size bound), a tab's Web Worker and a Node simulated client (training, CLIP2FL's probe). The engine and the
 * strategies name no model: they ask it for its tensors, its outputs and its training.
 */
/** How large a client model's features are: an adapter's unit-norm CLIP features, or a network's raw feature layer. */
export type FeatureScale = 'unit-norm' | 'raw';

export interface ClientModel {
  readonly id: string;
  /** One line for `--help` and the docs. */
  readonly summary: string;
  /** How the volunteer page and the logs call it, e.g. "the FedCLIP adapter". */
  readonly displayName: string;
  readonly inputs: readonly ClientModelInput[];
  /** Names and shapes of the tensors that travel each round. */
  spec(context: ClientModelContext): TensorSpec[];
  init(context: ClientModelContext, seed: number): WeightSet;
  /** Size of the features R scores (`outputs().features`): CLIP2FL's PCL pulls them towards the text embeddings. */
  featureDim(context: ClientModelContext): number;
  /**
   * The scale of those features: `unit-norm` (an adapter's normalised CLIP features) or `raw` (a network's feature
   * layer). CLIP2FL's federated features start on it: N(0, 1/d) for unit-norm features, the reference's N(0, 1)
   * for raw ones.
   */
  readonly featureScale: FeatureScale;
  /** Features and own predictions for every row of `data` (eval mode). */
  outputs(weights: WeightSet, data: ClientModelData, context: ClientModelContext): Promise<ClientModelOutputs>;
  /** One client's local training for a round (a fresh optimiser each time). */
  train(options: ClientModelTrainOptions): Promise<ClientModelTrainResult>;
}

/** The input `data` must carry for a model that reads it, or a clear error. */
export function requireInput(data: ClientModelData, input: 'clipFeatures' | 'pixels', model: string): Float32Array {
  const value = data[input];
  if (!value) throw new ShapeError(`${model} needs ${input === 'pixels' ? 'preprocessed pixels' : 'CLIP features'}, and none were given`);
  return value;
}
