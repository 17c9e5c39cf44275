import * as tf from '@tensorflow/tfjs';
import { CLIP_ADAPTER_RATIO, type ClipAdapterTensors } from './clip-adapter';
import {
  type AdapterBatch,
  type MatMulMode,
  defaultMatMulMode,
  embeddingLossAndGradient,
  matMulTransposeA,
  normalizeBackward,
  normalizeForward,
} from './head-objective';

export type ClipAdapterLossAndGradients = {
  loss: tf.Scalar;
  grads: ClipAdapterTensors;
};

/**
 * Loss and exact gradients of the head objective (FedCLIP's `clip` or `class-ce`, + optional KD) through the
 * CLIP-Adapter, backward pass by hand like adapterLossAndGradients (checked against tf.grad and finite
 * differences in tests). With α the residual ratio:
 *   u = x·Wd, h = ReLU u, v = h·Wu, m = ReLU v, p = α·m + (1−α)·x, n = p/‖p‖
 *   dp = (dn − n·⟨dn,n⟩)/‖p‖;  dv = α·dp ⊙ [v > 0];  dWu = hᵀ·dv;  du = (dv·Wuᵀ) ⊙ [u > 0];  dWd = xᵀ·du
 */
export function clipAdapterLossAndGradients(
  params: ClipAdapterTensors,
  batch: AdapterBatch,
  logitScale = 100,
  mode: MatMulMode = defaultMatMulMode(),
  ratio = CLIP_ADAPTER_RATIO,
): ClipAdapterLossAndGradients {
  return tf.tidy(() => {
    const { x } = batch;
    const u = tf.matMul(x, params.down) as tf.Tensor2D;
    const h = tf.relu(u) as tf.Tensor2D;
    const v = tf.matMul(h, params.up) as tf.Tensor2D;
    const p = tf.add(tf.mul(tf.relu(v), ratio), tf.mul(x, 1 - ratio)) as tf.Tensor2D;
    const { n, norm } = normalizeForward(p);
    const { loss, dn } = embeddingLossAndGradient(n, batch, logitScale, mode);

    const dv = tf.mul(tf.mul(normalizeBackward(dn, n, norm), ratio), tf.step(v)) as tf.Tensor2D;
    const dh =
      mode === 'explicit-transpose'
        ? (tf.transpose(tf.matMul(params.up, tf.transpose(dv))) as tf.Tensor2D)
        : tf.matMul(dv, params.up, false, true);
    const du = tf.mul(dh, tf.step(u)) as tf.Tensor2D;
    return { loss, grads: { down: matMulTransposeA(x, du, mode), up: matMulTransposeA(h, dv, mode) } };
  });
}
