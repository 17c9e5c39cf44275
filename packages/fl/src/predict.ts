import * as tf from '@tensorflow/tfjs';
import { type AdapterTensors, adaptFeatureArray, adapterTensorsFromWeights, applyAdapter, disposeAdapterTensors, l2NormalizeRows } from './adapter';
import { type LinearClassifier, predictWithClassifier } from './clip2fl/linear-classifier';
import type { WeightSet } from './types';
import { rowsOf } from './weights';

const PREDICT_CHUNK = 1024;

/**
 * FedCLIP's prediction: argmax_c of norm(I*)·norm(T_c) over the K class prompts (the logit scale
 * and the softmax do not change the argmax). `weights === null` is zero-shot CLIP (a ≡ 1).
 */
export async function predictWithTextPrototypes(
  weights: WeightSet | null,
  features: Float32Array,
  textEmbeddings: Float32Array,
  dim: number,
): Promise<Int32Array> {
  const n = rowsOf(features, dim, 'features');
  const k = rowsOf(textEmbeddings, dim, 'text embeddings');
  const adapter = weights === null ? null : adapterTensorsFromWeights(weights, dim);
  const textT = tf.tidy(() => tf.transpose(l2NormalizeRows(tf.tensor2d(textEmbeddings, [k, dim]))) as tf.Tensor2D);
  try {
    const out = new Int32Array(n);
    for (let start = 0; start < n; start += PREDICT_CHUNK) {
      const rows = Math.min(PREDICT_CHUNK, n - start);
      const pred = tf.tidy(() => {
        const x = tf.tensor2d(features.subarray(start * dim, (start + rows) * dim), [rows, dim]);
        return textPrototypeArgmax(adapter, x, textT);
      });
      out.set(await pred.data(), start);
      pred.dispose();
    }
    return out;
  } finally {
    textT.dispose();
    if (adapter) disposeAdapterTensors(adapter);
  }
}

/** argmax over classes of adapted features against normalised, transposed text embeddings [d, K]. */
export function textPrototypeArgmax(adapter: AdapterTensors | null, x: tf.Tensor2D, textNormT: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const emb = adapter === null ? l2NormalizeRows(x) : applyAdapter(adapter, x);
    return tf.argMax(tf.matMul(emb, textNormT), 1) as tf.Tensor1D;
  });
}

/** CLIP2FL's balanced head: raw features → adapter (null = none) → normalised I* → R → argmax. */
export async function predictWithBalancedHead(
  adapterWeights: WeightSet | null,
  classifier: LinearClassifier,
  features: Float32Array,
): Promise<Int32Array> {
  return predictWithClassifier(classifier, await adaptFeatureArray(adapterWeights, features, classifier.dim));
}
