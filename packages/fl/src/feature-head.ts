import type * as tf from '@tensorflow/tfjs';
import type { AdapterBatch, MatMulMode } from './head-objective';
import type { TensorSpec, WeightSet } from './types';

/**
 * A trainable head on frozen CLIP image features that predicts with the class text prototypes: the FedCLIP
 * attention adapter or CLIP-Adapter. One training loop (trainHead), one prediction and one feature-mapping
 * path serve every head; a head only says what its tensors are and how its forward and backward passes go.
 * Parameter tensors are always handled as an array in `spec` order.
 */
export interface FeatureHead {
  /** Stable name for run configs and registries. */
  readonly id: 'fedclip-attention' | 'clip-adapter';
  /** Names and shapes of the tensors a client uploads, for feature dimension `dim`. */
  spec(dim: number): TensorSpec[];
  parameterCount(dim: number): number;
  /** Seeded, identical on every backend. */
  init(dim: number, seed: number): WeightSet;
  /** Uploads a WeightSet (validated against spec) as tensors in spec order; the caller disposes them. */
  upload(weights: WeightSet, dim: number): tf.Tensor[];
  /** L2-normalised adapted features for raw CLIP image features x [n, d] (differentiable). */
  apply(params: readonly tf.Tensor[], x: tf.Tensor2D): tf.Tensor2D;
  /** Loss of one batch and its gradients, one per parameter tensor, in spec order. */
  lossAndGradients(params: readonly tf.Tensor[], batch: AdapterBatch, logitScale: number, mode: MatMulMode): { loss: tf.Scalar; grads: tf.Tensor[] };
}
