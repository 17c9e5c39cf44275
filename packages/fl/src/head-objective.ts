import * as tf from '@tensorflow/tfjs';
import { distillationGradient, distillationLoss } from './kd';
import { symmetricClipLossFromLogits, symmetricClipLossGradient } from './loss';

/**
 * How products with a transposed operand are formed. tfjs-wasm runs matMul with a transpose flag
 * about 12× slower than a plain one (15 ms vs 1.2 ms for [32,512]·[512,512] here), so there the
 * small [B, d] operand is transposed explicitly and every product arranged to need no flag. The
 * cpu backend is slightly faster with flags, and GPU backends transpose for free inside the kernel.
 */
export type MatMulMode = 'explicit-transpose' | 'transpose-flags';

/** The faster mode for a backend (measured for wasm and cpu: tools/bench/micro/train-step.ts). */
export function defaultMatMulMode(backend: string = tf.getBackend()): MatMulMode {
  return backend === 'wasm' ? 'explicit-transpose' : 'transpose-flags';
}

/** a·bᵀ in the given matmul mode. */
export function matMulTransposeB(a: tf.Tensor2D, b: tf.Tensor2D, mode: MatMulMode): tf.Tensor2D {
  return mode === 'explicit-transpose' ? tf.matMul(a, tf.transpose(b)) : tf.matMul(a, b, false, true);
}

/** aᵀ·b in the given matmul mode. */
export function matMulTransposeA(a: tf.Tensor2D, b: tf.Tensor2D, mode: MatMulMode): tf.Tensor2D {
  return mode === 'explicit-transpose' ? tf.matMul(tf.transpose(a), b) : tf.matMul(a, b, true, false);
}

/**
 * The local objective. `clip`: FedCLIP's symmetric in-batch CLIP loss (algorithms.md §1.4; same-class pairs
 * count as negatives). `class-ce`: each image against all K class prompts with cross-entropy, the cleaner
 * variant the reference notes suggest; it does not fight itself when a batch holds several images of a class.
 */
export type AdapterObjective = 'clip' | 'class-ce';

/** One training batch of a head on CLIP features: what every head's objective sees. */
export interface AdapterBatch {
  /** Raw CLIP image features [B, d]. */
  x: tf.Tensor2D;
  /** For `class-ce`: all K L2-normalised class text embeddings [K, d] and each sample's class [B]. */
  classes?: { textAll: tf.Tensor2D; labels: tf.Tensor1D };
  /** L2-normalised text embedding of each sample's own class [B, d]. */
  text: tf.Tensor2D;
  /** Optional KD term against CLIP zero-shot logits. */
  kd?: {
    /** L2-normalised text embeddings of all K classes [K, d]. */
    textAll: tf.Tensor2D;
    teacherLogits: tf.Tensor2D;
    temperature: number;
    alpha: number;
  };
}

/**
 * The part of the objective that every head on CLIP features shares: the loss of the L2-normalised adapted
 * features n [B, d] (FedCLIP's symmetric loss or class-ce, + optional KD), and ∂loss/∂n. Each head's step
 * runs its own forward pass to n and its own backward pass from dn.
 */
export function embeddingLossAndGradient(
  n: tf.Tensor2D,
  batch: AdapterBatch,
  logitScale: number,
  mode: MatMulMode,
): { loss: tf.Scalar; dn: tf.Tensor2D } {
  return tf.tidy(() => {
    let loss: tf.Scalar;
    let dn: tf.Tensor2D;
    if (batch.classes) {
      // Cross-entropy over the K prompts: dLoss/dlogits = (softmax − onehot) / B.
      const { textAll, labels } = batch.classes;
      const logits = tf.mul(matMulTransposeB(n, textAll, mode), logitScale) as tf.Tensor2D;
      const onehot = tf.oneHot(labels, textAll.shape[0]) as tf.Tensor2D;
      const logProbs = tf.logSoftmax(logits);
      loss = tf.neg(tf.mean(tf.sum(tf.mul(onehot, logProbs), 1))) as tf.Scalar;
      const dLogits = tf.div(tf.sub(tf.exp(logProbs), onehot), logits.shape[0]) as tf.Tensor2D;
      dn = tf.mul(tf.matMul(dLogits, textAll), logitScale) as tf.Tensor2D;
    } else {
      const logits = tf.mul(matMulTransposeB(n, batch.text, mode), logitScale) as tf.Tensor2D;
      loss = symmetricClipLossFromLogits(logits);
      dn = tf.mul(tf.matMul(symmetricClipLossGradient(logits), batch.text), logitScale) as tf.Tensor2D;
    }
    if (batch.kd) {
      const { textAll, teacherLogits, temperature, alpha } = batch.kd;
      const student = tf.mul(matMulTransposeB(n, textAll, mode), logitScale) as tf.Tensor2D;
      loss = tf.add(loss, distillationLoss(student, teacherLogits, temperature, alpha)) as tf.Scalar;
      dn = tf.add(dn, tf.mul(tf.matMul(distillationGradient(student, teacherLogits, temperature, alpha), textAll), logitScale)) as tf.Tensor2D;
    }
    return { loss, dn };
  });
}

/** Backward through n = p/‖p‖: ∂loss/∂p = (dn − n·⟨dn, n⟩)/‖p‖. */
export function normalizeBackward(dn: tf.Tensor2D, n: tf.Tensor2D, norm: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.sub(dn, tf.mul(n, tf.sum(tf.mul(dn, n), 1, true))), norm) as tf.Tensor2D);
}

/** p/‖p‖ row-wise and ‖p‖ [B, 1] (the epsilon only guards an all-zero row), for heads that need both. */
export function normalizeForward(p: tf.Tensor2D): { n: tf.Tensor2D; norm: tf.Tensor2D } {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(p), 1, true), 1e-24)) as tf.Tensor2D;
    return { n: tf.div(p, norm) as tf.Tensor2D, norm };
  });
}
