import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors';

/** The +1e-6 in every cosine's denominator, as in Dataset Condensation's 'ours' distance. */
export const MATCH_EPS = 1e-6;

/**
 * CReFF/CLIP2FL's gradient-matching distance ('ours', algorithms.md §2.7):
 *   D = Σ_rows [1 − ⟨gW_real[r], gW_syn[r]⟩ / (‖gW_real[r]‖·‖gW_syn[r]‖ + 1e-6)] + [1 − cos(gb_real, gb_syn)]
 * One cosine per output-class row of the weight gradient plus one for the whole bias vector.
 * Accepts one class ([C, d] and [C]) or a stack of K classes ([K, C, d] and [K, C]): the result
 * is then the sum over the K classes. `classMask` [K] (1 = matched, 0 = ignored) drops classes.
 */
export function gradientMatchDistance(
  realW: tf.Tensor,
  realB: tf.Tensor,
  synW: tf.Tensor,
  synB: tf.Tensor,
  classMask?: tf.Tensor1D,
): tf.Scalar {
  if (!tf.util.arraysEqual(realW.shape, synW.shape) || !tf.util.arraysEqual(realB.shape, synB.shape)) {
    throw new ShapeError(`real [${realW.shape}]/[${realB.shape}] and synthetic [${synW.shape}]/[${synB.shape}] gradients differ in shape`);
  }
  if (realW.rank !== realB.rank + 1 || realW.shape[realW.rank - 2] !== realB.shape[realB.rank - 1]) {
    throw new ShapeError(`weight gradient [${realW.shape}] does not match bias gradient [${realB.shape}]`);
  }
  return tf.tidy(() => {
    const rowTerms = tf.sub(1, cosine(realW, synW)); // [..., C]
    const biasTerm = tf.sub(1, cosine(realB, synB)); // [...]
    let perClass = tf.add(tf.sum(rowTerms, -1), biasTerm);
    if (classMask) perClass = tf.mul(perClass, classMask);
    return tf.sum(perClass) as tf.Scalar;
  });
}

/**
 * ⟨a, b⟩ / (‖a‖·‖b‖ + eps) along the last axis. The 1e-30 under each square root changes no norm
 * above 1e-15 but keeps the gradient finite (0, as PyTorch's norm gives) for an all-zero row,
 * which a saturated softmax produces.
 */
function cosine(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const dot = tf.sum(tf.mul(a, b), -1);
  const norms = tf.mul(tf.sqrt(tf.add(tf.sum(tf.square(a), -1), 1e-30)), tf.sqrt(tf.add(tf.sum(tf.square(b), -1), 1e-30)));
  return tf.div(dot, tf.add(norms, MATCH_EPS));
}
