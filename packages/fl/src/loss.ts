import * as tf from '@tensorflow/tfjs';
import { ShapeError } from './errors';
import { l2NormalizeRows } from './adapter';

/**
 * FedCLIP's local objective (algorithms.md §1.4): for a batch of B (image, own-class prompt) pairs,
 * L = s · norm(I*) · norm(T)ᵀ is B×B and the loss is ½·CE over rows + ½·CE over columns, target
 * the diagonal. Two samples of the same class put identical logits in a row: they still count as
 * negatives, as in the reference code, so the loss never reaches 0 on such a batch.
 */
export function symmetricClipLoss(imageEmb: tf.Tensor2D, textEmb: tf.Tensor2D, logitScale = 100): tf.Scalar {
  if (imageEmb.rank !== 2 || textEmb.rank !== 2 || imageEmb.shape[0] !== textEmb.shape[0] || imageEmb.shape[1] !== textEmb.shape[1]) {
    throw new ShapeError(`image [${imageEmb.shape}] and text [${textEmb.shape}] embeddings must both be [B, d]`);
  }
  return tf.tidy(() => {
    const logits = tf.mul(tf.matMul(l2NormalizeRows(imageEmb), l2NormalizeRows(textEmb), false, true), logitScale) as tf.Tensor2D;
    return symmetricClipLossFromLogits(logits);
  });
}

/** The symmetric cross-entropy of a square logit matrix whose targets are its diagonal. */
export function symmetricClipLossFromLogits(logits: tf.Tensor2D): tf.Scalar {
  const b = logits.shape[0];
  if (logits.shape[1] !== b) throw new ShapeError(`logit matrix must be square, got [${logits.shape}]`);
  return tf.tidy(() => {
    const eye = tf.eye(b);
    const rowDiag = tf.sum(tf.mul(tf.logSoftmax(logits), eye));
    const colDiag = tf.sum(tf.mul(tf.logSoftmax(tf.transpose(logits)), eye));
    return tf.div(tf.add(rowDiag, colDiag), -2 * b) as tf.Scalar;
  });
}

/**
 * ∂loss/∂logits in closed form: (softmax_rows(L) − I)/(2B) + (softmax_cols(L) − I)/(2B).
 * Used by the hand-written backward pass of the adapter step.
 */
export function symmetricClipLossGradient(logits: tf.Tensor2D): tf.Tensor2D {
  const b = logits.shape[0];
  return tf.tidy(() => {
    const rows = tf.softmax(logits);
    const cols = tf.transpose(tf.softmax(tf.transpose(logits)));
    return tf.div(tf.sub(tf.add(rows, cols), tf.mul(tf.eye(b), 2)), 2 * b) as tf.Tensor2D;
  });
}
