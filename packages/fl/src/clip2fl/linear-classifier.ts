import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors';
import { SeededRandom } from '../random';
import type { WeightSet } from '../types';
import { requireTensor, rowsOf } from '../weights';

/**
 * CLIP2FL's balanced classifier R: Linear(d → C) on the adapted, normalised features I*, stored
 * like PyTorch's nn.Linear (weight [C, d], output-major; logits = I*·weightᵀ + bias).
 */
export interface LinearClassifier {
  numClasses: number;
  dim: number;
  weight: Float32Array;
  bias: Float32Array;
}

export const CLASSIFIER_WEIGHT = 'classifier.weight';
export const CLASSIFIER_BIAS = 'classifier.bias';

/** A fresh classifier with PyTorch's default init: weight and bias U(−1/√d, 1/√d), seeded. */
export function initLinearClassifier(numClasses: number, dim: number, seed: number): LinearClassifier {
  checkSizes(numClasses, dim);
  const bound = 1 / Math.sqrt(dim);
  const rng = new SeededRandom(seed);
  const weight = rng.fillUniform(new Float32Array(numClasses * dim), -bound, bound);
  const bias = rng.fillUniform(new Float32Array(numClasses), -bound, bound);
  return { numClasses, dim, weight, bias };
}

export function classifierToWeightSet(c: LinearClassifier): WeightSet {
  return [
    { name: CLASSIFIER_WEIGHT, shape: [c.numClasses, c.dim], data: c.weight.slice() },
    { name: CLASSIFIER_BIAS, shape: [c.numClasses], data: c.bias.slice() },
  ];
}

export function classifierFromWeightSet(weights: WeightSet): LinearClassifier {
  const w = weights.find((t) => t.name === CLASSIFIER_WEIGHT);
  if (!w || w.shape.length !== 2) throw new ShapeError(`a classifier needs a 2-D "${CLASSIFIER_WEIGHT}" tensor`);
  const [numClasses, dim] = w.shape;
  checkSizes(numClasses, dim);
  return {
    numClasses,
    dim,
    weight: requireTensor(weights, CLASSIFIER_WEIGHT, [numClasses, dim]).slice(),
    bias: requireTensor(weights, CLASSIFIER_BIAS, [numClasses]).slice(),
  };
}

/** Logits I·weightᵀ + bias; the [C, d] weight is transposed explicitly (cheap; tfjs-wasm is slow with transpose flags). */
export function classifierLogits(weight: tf.Tensor2D, bias: tf.Tensor1D, features: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.matMul(features, tf.transpose(weight)), bias) as tf.Tensor2D);
}

/** argmax of R's logits on already adapted, normalised features [n, d]. */
export async function predictWithClassifier(classifier: LinearClassifier, features: Float32Array): Promise<Int32Array> {
  const { dim, numClasses } = classifier;
  const n = rowsOf(features, dim, 'features');
  const out = new Int32Array(n);
  const weight = tf.tensor2d(classifier.weight, [numClasses, dim]);
  const bias = tf.tensor1d(classifier.bias);
  try {
    const chunk = 1024;
    for (let start = 0; start < n; start += chunk) {
      const rows = Math.min(chunk, n - start);
      const pred = tf.tidy(() => tf.argMax(classifierLogits(weight, bias, tf.tensor2d(features.subarray(start * dim, (start + rows) * dim), [rows, dim])), 1));
      out.set(await pred.data(), start);
      pred.dispose();
    }
  } finally {
    tf.dispose([weight, bias]);
  }
  return out;
}

function checkSizes(numClasses: number, dim: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new ShapeError(`a classifier needs at least 2 classes, got ${numClasses}`);
  if (!Number.isInteger(dim) || dim < 1) throw new ShapeError(`feature dimension must be a positive integer, got ${dim}`);
}
