import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows } from '../adapter';
import { ShapeError } from '../errors';

/** CLIP2FL's `ins_temp`. */
export const PCL_TEMPERATURE = 0.1;

/**
 * CLIP2FL's prototype contrastive loss (SupConLoss_text, algorithms.md §2.7) in closed form.
 * The reference compares every raw (un-normalised) federated feature f_i with one normalised text
 * embedding per bank sample, masks the diagonal, and takes same-label samples as positives. Since
 * all positives of an anchor share one text, with s_ic = f_i·T_c/τ and M_c samples of class c:
 *   loss_i = −s_{i,y_i} + log(Σ_c M_c·exp(s_ic) − exp(s_{i,y_i}))
 * and the loss is the mean over anchors. Every class needs at least 2 samples (a positive).
 * Computed with the row maximum factored out: s reaches hundreds for N(0,1) features at τ = 0.1.
 */
export function prototypeContrastiveLoss(
  features: tf.Tensor2D,
  labels: Int32Array,
  textEmbeddings: tf.Tensor2D,
  temperature = PCL_TEMPERATURE,
): tf.Scalar {
  const [n, d] = features.shape;
  const [numClasses, textDim] = textEmbeddings.shape;
  if (textDim !== d) throw new ShapeError(`features are ${d}-d but text embeddings are ${textDim}-d`);
  if (labels.length !== n) throw new ShapeError(`${labels.length} labels for ${n} features`);
  if (!(temperature > 0)) throw new ShapeError(`temperature must be positive, got ${temperature}`);
  const counts = new Float32Array(numClasses);
  labels.forEach((y, i) => {
    if (y < 0 || y >= numClasses) throw new ShapeError(`label ${y} at index ${i} is outside 0..${numClasses - 1}`);
    counts[y]++;
  });
  labels.forEach((y) => {
    if (counts[y] < 2) throw new ShapeError(`class ${y} has a single sample: the contrastive loss needs a positive for every anchor`);
  });
  return tf.tidy(() => {
    const s = tf.div(tf.matMul(features, tf.transpose(l2NormalizeRows(textEmbeddings))), temperature); // [n, C]
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses);
    const m = tf.max(s, 1, true);
    const e = tf.exp(tf.sub(s, m));
    const sY = tf.sum(tf.mul(s, onehot), 1);
    const denom = tf.sub(tf.sum(tf.mul(e, tf.tensor1d(counts)), 1), tf.sum(tf.mul(e, onehot), 1));
    return tf.mean(tf.add(tf.sub(tf.log(denom), sY), tf.squeeze(m, [1]))) as tf.Scalar;
  });
}
