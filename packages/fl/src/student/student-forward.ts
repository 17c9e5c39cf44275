import * as tf from '@tensorflow/tfjs';
import type { WeightSet } from '../types';
import { requireTensor } from '../weights';
import { conv2dIm2col } from './im2col-conv';
import { BN_EPS, type ConvLayer, type StudentConfig, type StudentLayout, bnName, studentLayout, studentSpec } from './student-spec';

/** The student's tensors on the backend, by state name. */
export type StudentParams = ReadonlyMap<string, tf.Tensor>;

/** Uploads a student WeightSet (validated against the spec of `config`); the caller disposes the tensors. */
export function uploadStudent(weights: WeightSet, config: StudentConfig): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const { name, shape } of studentSpec(config)) out.set(name, tf.tensor(requireTensor(weights, name, shape), shape));
  return out;
}

/** The batch statistics a training-mode forward pass saw, per BN layer (for the running averages). */
// A type alias, not an interface, so that it is a tf.TensorContainer and can be returned from tf.tidy.
export type BatchStatistics = {
  bn: string;
  mean: tf.Tensor1D;
  /** Biased variance (what normalised the batch). */
  variance: tf.Tensor1D;
  /** Values per channel that the statistics were taken over (B·H·W), for the unbiased running variance. */
  count: number;
};

// A type alias, not an interface, so that it is a tf.TensorContainer and can be returned from tf.tidy.
export type StudentOutput = {
  /** The 512-d feature layer [B, featureDim]. */
  features: tf.Tensor2D;
  /** The student's own classifier on them [B, C]. */
  logits: tf.Tensor2D;
};

/** A k×k convolution with padding (k−1)/2 and no bias; kernel [k·k·Cin, Cout] (HWIO flattened). */
export type Convolution = (x: tf.Tensor4D, kernel: tf.Tensor2D, size: 1 | 3, stride: 1 | 2) => tf.Tensor4D;

/**
 * The student's forward pass on NHWC pixels [B, H, W, Cin]. `train`: BN normalises with the batch's own
 * statistics and reports them through `onBatchStatistics`; `eval`: BN uses the running statistics.
 * Differentiable with respect to every trainable tensor in `params`. `convolve` is the im2col convolution
 * (trainable on every backend); tests pass tf.conv2d to check the model against it.
 */
export function studentForward(
  params: StudentParams,
  layout: StudentLayout,
  x: tf.Tensor4D,
  mode: 'train' | 'eval',
  onBatchStatistics?: (stats: BatchStatistics) => void,
  convolve: Convolution = (input, kernel, size, stride) => conv2dIm2col(input, kernel, size, stride),
): StudentOutput {
  const get = (name: string) => params.get(name)!;
  const convBn = (input: tf.Tensor4D, conv: ConvLayer): tf.Tensor4D => {
    const kernel = get(`${conv.name}.weight`) as tf.Tensor2D;
    const y = convolve(input, kernel, conv.kernel, conv.stride);
    const bn = bnName(conv);
    const gamma = get(`${bn}.weight`);
    const beta = get(`${bn}.bias`);
    if (mode === 'eval') {
      const scale = tf.div(gamma, tf.sqrt(tf.add(get(`${bn}.running_var`), BN_EPS)));
      return tf.add(tf.mul(y, scale), tf.sub(beta, tf.mul(get(`${bn}.running_mean`), scale))) as tf.Tensor4D;
    }
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    const [b, h, w] = y.shape;
    onBatchStatistics?.({ bn, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D, count: b * h * w });
    return tf.add(tf.mul(tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, BN_EPS))), gamma), beta) as tf.Tensor4D;
  };

  let h = tf.relu(convBn(x, layout.stem)) as tf.Tensor4D;
  for (const block of layout.blocks) {
    const inner = convBn(tf.relu(convBn(h, block.conv1)) as tf.Tensor4D, block.conv2);
    const shortcut = block.shortcut ? convBn(h, block.shortcut) : h;
    h = tf.relu(tf.add(inner, shortcut)) as tf.Tensor4D;
  }
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  const features = tf.add(tf.matMul(pooled, get('feature.weight') as tf.Tensor2D), get('feature.bias')) as tf.Tensor2D;
  // [C, d] output-major like R: transposed explicitly (tfjs-wasm is slow with transpose flags).
  const logits = tf.add(tf.matMul(features, tf.transpose(get('classifier.weight') as tf.Tensor2D)), get('classifier.bias')) as tf.Tensor2D;
  return { features, logits };
}

/** Rows of a row-major pixel array [n, H, W, Cin] as an NHWC tensor. */
export function pixelsTensor(pixels: Float32Array, layout: StudentLayout, start: number, rows: number): tf.Tensor4D {
  const { inputHeight: h, inputWidth: w, inputChannels: c } = layout.config;
  const size = h * w * c;
  return tf.tensor4d(pixels.subarray(start * size, (start + rows) * size), [rows, h, w, c]);
}

export { studentLayout };
