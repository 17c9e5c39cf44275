import type { ClipModel } from '@clipfed/clip';
import type { Capabilities, TrainingSettings } from '@clipfed/protocol';
import type { WeightSet } from '@clipfed/fl';

export interface TrainRequest {
  weights: WeightSet;
  features: Float32Array;
  labels: Int32Array;
  textEmbeddings: Float32Array;
  dim: number;
  training: TrainingSettings;
}

export interface TrainResult {
  weights: WeightSet;
  meanLoss: number;
  steps: number;
  trainAccuracy: number;
}

/** Local adapter training; in a tab it runs in a Web Worker so the page and its heartbeats stay alive. */
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
}
