import type { ClipModel, ImageEncoder } from '@clipfed/clip';

export type { ImageEncoder };
import type { Capabilities, TrainingSettings } from '@clipfed/protocol';
import type { ClientModelContext, ClientModelId, WeightSet } from '@clipfed/fl';

export interface TrainRequest {
  /** Which model of `@clipfed/fl`'s registry `weights` belong to. */
  clientModel: ClientModelId;
  weights: WeightSet;
  /** The run's CLIP size, classes and pixel format, which the model's shapes follow. */
  context: ClientModelContext;
  /** Raw CLIP image features [n, embedDim], encoded once (an adapter's input; the KD teacher's for any model). */
  features: Float32Array;
  /** Preprocessed pixels [n, H, W, C] when the model reads pixels (the student). */
  pixels?: Float32Array;
  labels: Int32Array;
  textEmbeddings: Float32Array;
  training: TrainingSettings;
  /**
   * CLIP2FL / CReFF: before training, compute per-class gradients of this classifier R
   * (`classifier.weight` [C, f], `classifier.bias` [C]) on the model's features (f = its featureDim) under `weights`.
   */
  probe?: { classifier: WeightSet; batchSize: number; repeats: number; seed: number };
  /** CLIP2FL: distil from zero-shot CLIP logits at this temperature, with this weight. */
  kd?: { temperature: number; alpha: number };
}

export interface TrainResult {
  weights: WeightSet;
  meanLoss: number;
  steps: number;
  trainAccuracy: number;
  /** The per-class gradients of R when the request had a probe (`class_gradients.*` tensors). */
  classGradients?: WeightSet;
}

/** Local training of the run's client model; in a tab it runs in a Web Worker so the page and its heartbeats stay alive. */
export interface AdapterTrainer {
  train(req: TrainRequest, onProgress?: (p: { step: number; totalSteps: number; loss: number }) => void): Promise<TrainResult>;
}

/** Encoded features keyed by model and images, so a returning client never re-encodes. */
export interface FeatureCache {
  get(key: string): Promise<Float32Array | null>;
  put(key: string, features: Float32Array): Promise<void>;
}

/** What differs between a browser tab and a Node simulated client; everything else is one code path. */
export interface ClientPlatform {
  kind: 'browser' | 'node';
  capabilities: Capabilities;
  loadModel(modelUrl: string, onProgress: (p: { file: string; loaded: number; total: number }) => void): Promise<ClipModel>;
  fetchBytes(url: string): Promise<Uint8Array>;
  trainer: AdapterTrainer;
  featureCache?: FeatureCache;
  encodeImages?: ImageEncoder;
}
