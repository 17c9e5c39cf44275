import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows } from './adapter';
import type { FeatureHead } from './feature-head';
import { CLIP_ADAPTER_HEAD } from './feature-heads';
import type { WeightSet } from './types';
import { rowsOf } from './weights';

const CHUNK = 1024;

/**
 * A head's adapted, normalised features for a row-major [n, dim] Float32Array, in chunks to bound backend
 * memory. `weights === null` gives normalised zero-shot features.
 */
export async function adaptFeatureArrayWithHead(head: FeatureHead, weights: WeightSet | null, features: Float32Array, dim: number): Promise<Float32Array> {
  const n = rowsOf(features, dim, 'features');
  const out = new Float32Array(n * dim);
  const params = weights === null ? null : head.upload(weights, dim);
  try {
    for (let start = 0; start < n; start += CHUNK) {
      const rows = Math.min(CHUNK, n - start);
      const y = tf.tidy(() => {
        const x = tf.tensor2d(features.subarray(start * dim, (start + rows) * dim), [rows, dim]);
        return params === null ? l2NormalizeRows(x) : head.apply(params, x);
      });
      out.set(await y.data(), start * dim);
      y.dispose();
    }
  } finally {
    if (params) tf.dispose(params);
  }
  return out;
}

/**
 * argmax_c of norm(f')·norm(T_c) over the K class prompts for a head's weights (the logit scale does not
 * change the argmax). `weights === null` is zero-shot CLIP.
 */
export async function predictWithHead(head: FeatureHead, weights: WeightSet | null, features: Float32Array, textEmbeddings: Float32Array, dim: number): Promise<Int32Array> {
  const n = rowsOf(features, dim, 'features');
  const k = rowsOf(textEmbeddings, dim, 'text embeddings');
  const params = weights === null ? null : head.upload(weights, dim);
  const textT = tf.tidy(() => tf.transpose(l2NormalizeRows(tf.tensor2d(textEmbeddings, [k, dim]))) as tf.Tensor2D);
  try {
    const out = new Int32Array(n);
    for (let start = 0; start < n; start += CHUNK) {
      const rows = Math.min(CHUNK, n - start);
      const pred = tf.tidy(() => {
        const x = tf.tensor2d(features.subarray(start * dim, (start + rows) * dim), [rows, dim]);
        return headArgmax(head, params, x, textT);
      });
      out.set(await pred.data(), start);
      pred.dispose();
    }
    return out;
  } finally {
    textT.dispose();
    if (params) tf.dispose(params);
  }
}

/** argmax over classes of a head's adapted features against normalised, transposed text embeddings [d, K]. */
export function headArgmax(head: FeatureHead, params: readonly tf.Tensor[] | null, x: tf.Tensor2D, textNormT: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const emb = params === null ? l2NormalizeRows(x) : head.apply(params, x);
    return tf.argMax(tf.matMul(emb, textNormT), 1) as tf.Tensor1D;
  });
}

/** CLIP-Adapter's adapted, normalised features of a row-major [n, dim] array (see adaptFeatureArrayWithHead). */
export function adaptFeatureArrayWithClipAdapter(weights: WeightSet | null, features: Float32Array, dim: number): Promise<Float32Array> {
  return adaptFeatureArrayWithHead(CLIP_ADAPTER_HEAD, weights, features, dim);
}
