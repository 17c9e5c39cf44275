import * as tf from '@tensorflow/tfjs';
import type { AdapterTensors } from './adapter';
import { distillationGradient, distillationLoss } from './kd';
import { symmetricClipLossFromLogits, symmetricClipLossGradient } from './loss';

/**
 * How products with a transposed operand are formed. tfjs-wasm runs matMul with a transpose flag
 * about 12× slower than a plain one (15 ms vs 1.2 ms for [32,512]·[512,512] here), so there the
 * small [B, d] operand is transposed explicitly and every product arranged to need no flag. The
 * cpu backend is slightly faster with flags, and GPU backends transpose for free inside the kernel.
 */
export type MatMulMode = 'explicit-transpose' | 'transpose-flags';

/** The faster mode for a backend (measured for wasm and cpu: bench/train-step.ts). */
export function defaultMatMulMode(backend: string = tf.getBackend()): MatMulMode {
  return backend === 'wasm' ? 'explicit-transpose' : 'transpose-flags';
}

/**
 * The local objective. `clip`: FedCLIP's symmetric in-batch CLIP loss (algorithms.md §1.4; same-class pairs
 * count as negatives). `class-ce`: each image against all K class prompts with cross-entropy, the cleaner
 * variant the reference notes suggest; it does not fight itself when a batch holds several images of a class.
 */
export type AdapterObjective = 'clip' | 'class-ce';

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

export type AdapterLossAndGradients = {
  loss: tf.Scalar;
  grads: AdapterTensors;
};

/**
 * Loss and exact gradients of the FedCLIP objective (+ optional KD) for one batch, with the
 * backward pass written out by hand (checked against tf.grad and finite differences in tests):
 *   u = x·W1 + b1, h = tanh u, z = h·W2 + b2, a = softmax z, p = a ⊙ x, n = p/‖p‖, L = s·n·tᵀ
 *   dL = ∂loss/∂L;  dn = s·dL·t (+ s·dZ·T_all for KD);  dp = (dn − n·⟨dn,n⟩)/‖p‖;  da = dp ⊙ x
 *   dz = a ⊙ (da − ⟨da,a⟩);  dW2 = hᵀ·dz;  dh = dz·W2ᵀ;  du = dh ⊙ (1 − h²);  dW1 = xᵀ·du
 * It avoids autodiff's tape and the input gradient dx that nobody needs.
 */
export function adapterLossAndGradients(
  params: AdapterTensors,
  batch: AdapterBatch,
  logitScale = 100,
  mode: MatMulMode = defaultMatMulMode(),
): AdapterLossAndGradients {
  return tf.tidy(() => {
    const { x, text } = batch;
    const h = tf.tanh(tf.add(tf.matMul(x, params.w1), params.b1)) as tf.Tensor2D;
    const a = tf.softmax(tf.add(tf.matMul(h, params.w2), params.b2)) as tf.Tensor2D;
    const p = tf.mul(a, x) as tf.Tensor2D;
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(p), 1, true), 1e-24));
    const n = tf.div(p, norm) as tf.Tensor2D;

    let loss: tf.Scalar;
    let dn: tf.Tensor2D;
    if (batch.classes) {
      // Cross-entropy over the K prompts: dLoss/dlogits = (softmax − onehot) / B.
      const { textAll, labels } = batch.classes;
      const logits = tf.mul(mode === 'explicit-transpose' ? tf.matMul(n, tf.transpose(textAll)) : tf.matMul(n, textAll, false, true), logitScale) as tf.Tensor2D;
      const onehot = tf.oneHot(labels, textAll.shape[0]) as tf.Tensor2D;
      const logProbs = tf.logSoftmax(logits);
      loss = tf.neg(tf.mean(tf.sum(tf.mul(onehot, logProbs), 1))) as tf.Scalar;
      const dLogits = tf.div(tf.sub(tf.exp(logProbs), onehot), logits.shape[0]) as tf.Tensor2D;
      dn = tf.mul(tf.matMul(dLogits, textAll), logitScale) as tf.Tensor2D;
    } else {
      const logits = tf.mul(mode === 'explicit-transpose' ? tf.matMul(n, tf.transpose(text)) : tf.matMul(n, text, false, true), logitScale) as tf.Tensor2D;
      loss = symmetricClipLossFromLogits(logits);
      dn = tf.mul(tf.matMul(symmetricClipLossGradient(logits), text), logitScale) as tf.Tensor2D;
    }

    if (batch.kd) {
      const { textAll, teacherLogits, temperature, alpha } = batch.kd;
      const student = tf.mul(
        mode === 'explicit-transpose' ? tf.matMul(n, tf.transpose(textAll)) : tf.matMul(n, textAll, false, true),
        logitScale,
      ) as tf.Tensor2D;
      loss = tf.add(loss, distillationLoss(student, teacherLogits, temperature, alpha)) as tf.Scalar;
      dn = tf.add(dn, tf.mul(tf.matMul(distillationGradient(student, teacherLogits, temperature, alpha), textAll), logitScale)) as tf.Tensor2D;
    }

    const dp = tf.div(tf.sub(dn, tf.mul(n, tf.sum(tf.mul(dn, n), 1, true))), norm);
    const da = tf.mul(dp, x);
    const dz = tf.mul(a, tf.sub(da, tf.sum(tf.mul(da, a), 1, true))) as tf.Tensor2D;
    const dh =
      mode === 'explicit-transpose'
        ? (tf.transpose(tf.matMul(params.w2, tf.transpose(dz))) as tf.Tensor2D)
        : tf.matMul(dz, params.w2, false, true);
    const du = tf.mul(dh, tf.sub(1, tf.square(h))) as tf.Tensor2D;
    const dw2: tf.Tensor2D = mode === 'explicit-transpose' ? tf.matMul(tf.transpose(h), dz) : tf.matMul(h, dz, true, false);
    const dw1: tf.Tensor2D = mode === 'explicit-transpose' ? tf.matMul(tf.transpose(x), du) : tf.matMul(x, du, true, false);
    return {
      loss,
      grads: { w1: dw1, b1: tf.sum(du, 0) as tf.Tensor1D, w2: dw2, b2: tf.sum(dz, 0) as tf.Tensor1D },
    };
  });
}
