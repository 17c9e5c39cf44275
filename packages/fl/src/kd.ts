import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from './errors';
import { l2NormalizeRows } from './adapter';
import { rowsOf } from './weights';

/** Knowledge distillation from CLIP zero-shot logits (CLIP2FL, algorithms.md §2.5). */
export interface DistillationOptions {
  /** Teacher logits [n, K], one row per training sample, in the sample order of `features`. */
  teacherLogits: Float32Array;
  /** Softening temperature T (CLIP2FL: 3). */
  temperature: number;
  /** Weight α of the KD term (CLIP2FL: 1 now, 2 in its first release). */
  alpha: number;
}

export const CLIP2FL_KD_DEFAULTS = { temperature: 3, alpha: 1 } as const;

/**
 * α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)), the KL summed over classes and averaged over the batch
 * ("batchmean"). Differentiable with respect to the student logits.
 */
export function distillationLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, temperature: number, alpha: number): tf.Scalar {
  checkKd(studentLogits, teacherLogits, temperature, alpha);
  return tf.tidy(() => {
    const logQs = tf.logSoftmax(tf.div(studentLogits, temperature));
    const logQt = tf.logSoftmax(tf.div(teacherLogits, temperature));
    const kl = tf.sum(tf.mul(tf.exp(logQt), tf.sub(logQt, logQs)));
    return tf.mul(kl, (alpha * temperature * temperature) / studentLogits.shape[0]) as tf.Scalar;
  });
}

/** ∂distillationLoss/∂studentLogits = (α·T/B)·(softmax(z_s/T) − softmax(z_t/T)). */
export function distillationGradient(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, temperature: number, alpha: number): tf.Tensor2D {
  checkKd(studentLogits, teacherLogits, temperature, alpha);
  return tf.tidy(
    () =>
      tf.mul(
        tf.sub(tf.softmax(tf.div(studentLogits, temperature)), tf.softmax(tf.div(teacherLogits, temperature))),
        (alpha * temperature) / studentLogits.shape[0],
      ) as tf.Tensor2D,
  );
}

/**
 * CLIP zero-shot logits s·norm(I)·norm(T)ᵀ for raw image features [n, d] and class text
 * embeddings [K, d]: the KD teacher. Computed in chunks to bound memory.
 */
export async function zeroShotLogits(features: Float32Array, textEmbeddings: Float32Array, dim: number, logitScale = 100): Promise<Float32Array> {
  const n = rowsOf(features, dim, 'features');
  const k = rowsOf(textEmbeddings, dim, 'text embeddings');
  const out = new Float32Array(n * k);
  const chunk = 1024;
  const textT = tf.tidy(() => tf.transpose(l2NormalizeRows(tf.tensor2d(textEmbeddings, [k, dim]))));
  try {
    for (let start = 0; start < n; start += chunk) {
      const rows = Math.min(chunk, n - start);
      const logits = tf.tidy(() => {
        const x = tf.tensor2d(features.subarray(start * dim, (start + rows) * dim), [rows, dim]);
        return tf.mul(tf.matMul(l2NormalizeRows(x), textT), logitScale);
      });
      out.set(await logits.data(), start * k);
      logits.dispose();
    }
  } finally {
    textT.dispose();
  }
  return out;
}

function checkKd(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number, alpha: number): void {
  if (!tf.util.arraysEqual(student.shape, teacher.shape)) {
    throw new ShapeError(`KD: student logits [${student.shape}] and teacher logits [${teacher.shape}] differ in shape`);
  }
  if (!(temperature > 0)) throw new OptionError(`KD temperature must be positive, got ${temperature}`);
  if (!(alpha >= 0)) throw new OptionError(`KD alpha must be >= 0, got ${alpha}`);
}
