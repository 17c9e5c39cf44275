import * as tf from '@tensorflow/tfjs';
import type { AdapterTensors } from './adapter';
import {
  type AdapterBatch,
  type MatMulMode,
  defaultMatMulMode,
  embeddingLossAndGradient,
  matMulTransposeA,
  normalizeBackward,
  normalizeForward,
} from './head-objective';

export { type AdapterBatch, type AdapterObjective, type MatMulMode, defaultMatMulMode } from './head-objective';

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
    const { x } = batch;
    const h = tf.tanh(tf.add(tf.matMul(x, params.w1), params.b1)) as tf.Tensor2D;
    const a = tf.softmax(tf.add(tf.matMul(h, params.w2), params.b2)) as tf.Tensor2D;
    const { n, norm } = normalizeForward(tf.mul(a, x) as tf.Tensor2D);
    const { loss, dn } = embeddingLossAndGradient(n, batch, logitScale, mode);

    const da = tf.mul(normalizeBackward(dn, n, norm), x);
    const dz = tf.mul(a, tf.sub(da, tf.sum(tf.mul(da, a), 1, true))) as tf.Tensor2D;
    const dh =
      mode === 'explicit-transpose'
        ? (tf.transpose(tf.matMul(params.w2, tf.transpose(dz))) as tf.Tensor2D)
        : tf.matMul(dz, params.w2, false, true);
    const du = tf.mul(dh, tf.sub(1, tf.square(h))) as tf.Tensor2D;
    return {
      loss,
      grads: { w1: matMulTransposeA(x, du, mode), b1: tf.sum(du, 0) as tf.Tensor1D, w2: matMulTransposeA(h, dz, mode), b2: tf.sum(dz, 0) as tf.Tensor1D },
    };
  });
}
