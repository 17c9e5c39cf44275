import * as tf from '@tensorflow/tfjs';
import { ShapeError } from './errors';
import { SeededRandom } from './random';
import type { TensorSpec, WeightSet } from './types';
import { requireTensor, rowsOf } from './weights';

/**
 * FedCLIP's attention adapter (AttAI): a = softmax(tanh(I·W1 + b1)·W2 + b2) over the feature
 * dimension, I* = a ⊙ I on the raw CLIP image feature, then L2-normalised. Weights are input-major.
 */
export const ADAPTER_TENSOR_NAMES = ['w1', 'b1', 'w2', 'b2'] as const;

// A type alias, not an interface, so that it is a tf.TensorContainer and can be returned from tf.tidy.
export type AdapterTensors = {
  w1: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  b2: tf.Tensor1D;
};

export function adapterSpec(dim: number): TensorSpec[] {
  checkDim(dim);
  return [
    { name: 'w1', shape: [dim, dim] },
    { name: 'b1', shape: [dim] },
    { name: 'w2', shape: [dim, dim] },
    { name: 'b2', shape: [dim] },
  ];
}

/** 2·(d² + d): 525,312 for CLIP ViT-B/32's d = 512. */
export function adapterParameterCount(dim: number): number {
  checkDim(dim);
  return 2 * (dim * dim + dim);
}

/**
 * PyTorch's default nn.Linear init: weights and biases both U(−1/√d, 1/√d). Drawn from our own
 * seeded generator in the order w1, b1, w2, b2 so every backend starts from identical numbers.
 */
export function initAdapterWeights(dim: number, seed: number): WeightSet {
  const bound = 1 / Math.sqrt(dim);
  const rng = new SeededRandom(seed);
  return adapterSpec(dim).map(({ name, shape }) => ({
    name,
    shape,
    data: rng.fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -bound, bound),
  }));
}

/** Uploads an adapter WeightSet as tensors (the caller disposes them). */
export function adapterTensorsFromWeights(weights: WeightSet, dim: number): AdapterTensors {
  checkDim(dim);
  const w1 = requireTensor(weights, 'w1', [dim, dim]);
  const b1 = requireTensor(weights, 'b1', [dim]);
  const w2 = requireTensor(weights, 'w2', [dim, dim]);
  const b2 = requireTensor(weights, 'b2', [dim]);
  return {
    w1: tf.tensor2d(w1, [dim, dim]),
    b1: tf.tensor1d(b1),
    w2: tf.tensor2d(w2, [dim, dim]),
    b2: tf.tensor1d(b2),
  };
}

export function disposeAdapterTensors(t: AdapterTensors): void {
  tf.dispose([t.w1, t.b1, t.w2, t.b2]);
}

/** Row-wise L2 normalisation (the epsilon only guards an all-zero row). */
export function l2NormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-24))) as tf.Tensor2D);
}

/** The adapter's attention vector a (each row sums to 1). */
export function adapterAttention(t: AdapterTensors, imageFeatures: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const h = tf.tanh(tf.add(tf.matMul(imageFeatures, t.w1), t.b1));
    return tf.softmax(tf.add(tf.matMul(h, t.w2), t.b2)) as tf.Tensor2D;
  });
}

/** I* = normalise(a ⊙ I) with adapter tensors already on the backend (differentiable). */
export function applyAdapter(t: AdapterTensors, imageFeatures: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => l2NormalizeRows(tf.mul(adapterAttention(t, imageFeatures), imageFeatures) as tf.Tensor2D));
}

/** I* for a batch of raw CLIP image features [n, d]; `weights === null` is zero-shot CLIP (a ≡ 1). */
export function adaptFeatures(weights: WeightSet | null, imageFeatures: tf.Tensor2D): tf.Tensor2D {
  if (imageFeatures.rank !== 2) throw new ShapeError(`image features must be a 2-D [n, d] tensor, got rank ${imageFeatures.rank}`);
  if (weights === null) return l2NormalizeRows(imageFeatures);
  const dim = imageFeatures.shape[1];
  const t = adapterTensorsFromWeights(weights, dim);
  try {
    return applyAdapter(t, imageFeatures);
  } finally {
    disposeAdapterTensors(t);
  }
}

function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) throw new ShapeError(`adapter dimension must be a positive integer, got ${dim}`);
}

/**
 * adaptFeatures over a row-major [n, dim] Float32Array, in chunks to bound backend memory: the
 * I* features CLIP2FL's classifier sees. `weights === null` gives normalised zero-shot features.
 */
export async function adaptFeatureArray(weights: WeightSet | null, features: Float32Array, dim: number): Promise<Float32Array> {
  const n = rowsOf(features, dim, 'features');
  const out = new Float32Array(n * dim);
  const t = weights === null ? null : adapterTensorsFromWeights(weights, dim);
  try {
    const chunk = 1024;
    for (let start = 0; start < n; start += chunk) {
      const rows = Math.min(chunk, n - start);
      const y = tf.tidy(() => {
        const x = tf.tensor2d(features.subarray(start * dim, (start + rows) * dim), [rows, dim]);
        return t === null ? l2NormalizeRows(x) : applyAdapter(t, x);
      });
      out.set(await y.data(), start * dim);
      y.dispose();
    }
  } finally {
    if (t) disposeAdapterTensors(t);
  }
  return out;
}
