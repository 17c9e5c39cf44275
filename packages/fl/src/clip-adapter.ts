import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows } from './adapter';
import { ShapeError } from './errors';
import { SeededRandom } from './random';
import type { TensorSpec, WeightSet } from './types';
import { requireTensor } from './weights';

/**
 * CLIP-Adapter (Gao et al. 2021, gaopengcuhk/CLIP-Adapter `clip_adapter.py`): a residual bottleneck MLP on
 * the raw CLIP image feature,
 *   f' = α·ReLU(ReLU(f·W_down)·W_up) + (1 − α)·f,   then L2-normalised,
 * with both Linear layers bias-free (as in the reference), bottleneck d/4 and α = 0.2. Prediction is against
 * the class text prototypes, like the FedCLIP adapter. Weights are input-major: down [d, d/4], up [d/4, d].
 */
export const CLIP_ADAPTER_TENSOR_NAMES = ['down', 'up'] as const;

/** The reference's residual ratio α: the weight of the adapted feature. */
export const CLIP_ADAPTER_RATIO = 0.2;
/** The reference's bottleneck reduction: hidden width d/4. */
export const CLIP_ADAPTER_REDUCTION = 4;

// A type alias, not an interface, so that it is a tf.TensorContainer and can be returned from tf.tidy.
export type ClipAdapterTensors = {
  down: tf.Tensor2D;
  up: tf.Tensor2D;
};

export function clipAdapterHiddenDim(dim: number): number {
  checkDim(dim);
  return dim / CLIP_ADAPTER_REDUCTION;
}

export function clipAdapterSpec(dim: number): TensorSpec[] {
  const r = clipAdapterHiddenDim(dim);
  return [
    { name: 'down', shape: [dim, r] },
    { name: 'up', shape: [r, dim] },
  ];
}

/** 2·d·d/4 = d²/2: 131,072 for CLIP ViT-B/32's d = 512 (a quarter of the FedCLIP adapter's). */
export function clipAdapterParameterCount(dim: number): number {
  return 2 * dim * clipAdapterHiddenDim(dim);
}

/**
 * PyTorch's default nn.Linear init, U(−1/√fan_in, 1/√fan_in): ±1/√d for down, ±1/√(d/4) for up. Drawn from
 * our own seeded generator in the order down, up so every backend starts from identical numbers.
 */
export function initClipAdapterWeights(dim: number, seed: number): WeightSet {
  const rng = new SeededRandom(seed);
  return clipAdapterSpec(dim).map(({ name, shape }) => {
    const bound = 1 / Math.sqrt(shape[0]);
    return { name, shape, data: rng.fillUniform(new Float32Array(shape[0] * shape[1]), -bound, bound) };
  });
}

/** Uploads a CLIP-Adapter WeightSet as tensors (the caller disposes them). */
export function clipAdapterTensorsFromWeights(weights: WeightSet, dim: number): ClipAdapterTensors {
  const r = clipAdapterHiddenDim(dim);
  return {
    down: tf.tensor2d(requireTensor(weights, 'down', [dim, r]), [dim, r]),
    up: tf.tensor2d(requireTensor(weights, 'up', [r, dim]), [r, dim]),
  };
}

export function disposeClipAdapterTensors(t: ClipAdapterTensors): void {
  tf.dispose([t.down, t.up]);
}

/** f' = α·MLP(f) + (1 − α)·f before normalisation (differentiable). */
export function clipAdapterResidual(t: ClipAdapterTensors, imageFeatures: tf.Tensor2D, ratio = CLIP_ADAPTER_RATIO): tf.Tensor2D {
  return tf.tidy(() => {
    const mlp = tf.relu(tf.matMul(tf.relu(tf.matMul(imageFeatures, t.down)), t.up));
    return tf.add(tf.mul(mlp, ratio), tf.mul(imageFeatures, 1 - ratio)) as tf.Tensor2D;
  });
}

/** normalise(f') with adapter tensors already on the backend (differentiable). */
export function applyClipAdapter(t: ClipAdapterTensors, imageFeatures: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => l2NormalizeRows(clipAdapterResidual(t, imageFeatures)));
}

/** Adapted, normalised features for raw CLIP image features [n, d]; `weights === null` is zero-shot CLIP. */
export function adaptFeaturesWithClipAdapter(weights: WeightSet | null, imageFeatures: tf.Tensor2D): tf.Tensor2D {
  if (imageFeatures.rank !== 2) throw new ShapeError(`image features must be a 2-D [n, d] tensor, got rank ${imageFeatures.rank}`);
  if (weights === null) return l2NormalizeRows(imageFeatures);
  const t = clipAdapterTensorsFromWeights(weights, imageFeatures.shape[1]);
  try {
    return applyClipAdapter(t, imageFeatures);
  } finally {
    disposeClipAdapterTensors(t);
  }
}

function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0 || dim % CLIP_ADAPTER_REDUCTION !== 0) {
    throw new ShapeError(`CLIP-Adapter dimension must be a positive multiple of ${CLIP_ADAPTER_REDUCTION}, got ${dim}`);
  }
}
