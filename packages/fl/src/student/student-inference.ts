import * as tf from '@tensorflow/tfjs';
import { type ClassGradient, type ClientClassGradientOptions, computeClientClassGradients } from '../clip2fl/class-gradients';
import type { LinearClassifier } from '../clip2fl/linear-classifier';
import { ShapeError } from '../errors';
import type { WeightSet } from '../types';
import { conv2dIm2col } from './im2col-conv';
import { type Convolution, pixelsTensor, studentForward, uploadStudent } from './student-forward';
import { type StudentConfig, type StudentLayout, studentLayout } from './student-spec';

const CHUNK = 256;

/** Number of images in a row-major [n, H, W, Cin] pixel array. */
export function imageCount(pixels: Float32Array, layout: StudentLayout): number {
  const { inputHeight: h, inputWidth: w, inputChannels: c } = layout.config;
  if (pixels.length % (h * w * c) !== 0) throw new ShapeError(`${pixels.length} pixel values is not a whole number of ${h}×${w}×${c} images`);
  return pixels.length / (h * w * c);
}

/**
 * tf.conv2d with PyTorch's symmetric padding (k−1)/2, kernel [k·k·Cin, Cout] seen as HWIO. Every backend has this
 * forward kernel; only its gradient is missing on wasm.
 */
export const tfConvolution: Convolution = (x, kernel, size, stride) =>
  tf.conv2d(x, tf.reshape(kernel, [size, size, x.shape[3], kernel.shape[1]]) as tf.Tensor4D, stride, (size - 1) / 2);

/**
 * The faster forward-only convolution for a backend, measured on the full student (28×28 grey, `npm run bench --
 * --only student`, docs/BENCHMARKS.md): wasm's tf.conv2d (XNNPACK) is about 10× faster per image than im2col; on cpu
 * tf.conv2d's plain loops are no faster than im2col. Results agree to float rounding (student-model.test.ts).
 */
export function forwardConvolution(backend: string = tf.getBackend()): Convolution {
  return backend === 'cpu' ? (x, kernel, size, stride) => conv2dIm2col(x, kernel, size, stride) : tfConvolution;
}

/**
 * The student in eval mode (BN with running statistics) over all images, in chunks: its 512-d features
 * [n, featureDim] and its own classifier's logits [n, C], row-major. `convolve` defaults to the forward-only
 * convolution for the backend (forwardConvolution).
 */
export async function studentOutputs(
  weights: WeightSet,
  config: StudentConfig,
  pixels: Float32Array,
  convolve: Convolution = forwardConvolution(),
): Promise<{ features: Float32Array; logits: Float32Array }> {
  const layout = studentLayout(config);
  const n = imageCount(pixels, layout);
  const { featureDim, numClasses } = layout.config;
  const features = new Float32Array(n * featureDim);
  const logits = new Float32Array(n * numClasses);
  const params = uploadStudent(weights, config);
  try {
    for (let start = 0; start < n; start += CHUNK) {
      const rows = Math.min(CHUNK, n - start);
      const out = tf.tidy(() => studentForward(params, layout, pixelsTensor(pixels, layout, start, rows), 'eval', undefined, convolve));
      features.set(await out.features.data(), start * featureDim);
      logits.set(await out.logits.data(), start * numClasses);
      tf.dispose([out.features, out.logits]);
    }
  } finally {
    tf.dispose([...params.values()]);
  }
  return { features, logits };
}

/** The student's 512-d features [n, featureDim] (eval mode): what R and the gradient probes see. */
export async function studentFeatures(weights: WeightSet, config: StudentConfig, pixels: Float32Array): Promise<Float32Array> {
  return (await studentOutputs(weights, config, pixels)).features;
}

/** argmax of the student's own classifier (eval mode). */
export async function predictWithStudent(weights: WeightSet, config: StudentConfig, pixels: Float32Array): Promise<Int32Array> {
  return logitsArgmax((await studentOutputs(weights, config, pixels)).logits, config.numClasses);
}

/** Row-wise argmax of row-major logits [n, c]. */
export function logitsArgmax(logits: Float32Array, c: number): Int32Array {
  const out = new Int32Array(logits.length / c);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (logits[i * c + k] > logits[i * c + best]) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * CLIP2FL client step A with the student (algorithms.md §2.4): per-class gradients of the balanced classifier
 * R on the student's eval-mode features, by the same probes as for CLIP features (computeClientClassGradients).
 * No DSA augmentation (it is not implemented for pixels here).
 */
export async function studentClassGradients(
  weights: WeightSet,
  config: StudentConfig,
  pixels: Float32Array,
  labels: Int32Array,
  classifier: LinearClassifier,
  options: ClientClassGradientOptions,
): Promise<Map<number, ClassGradient>> {
  const layout = studentLayout(config);
  if (classifier.dim !== layout.config.featureDim || classifier.numClasses !== layout.config.numClasses) {
    throw new ShapeError(`classifier is ${classifier.numClasses}×${classifier.dim}, the student ${layout.config.numClasses}×${layout.config.featureDim}`);
  }
  return computeClientClassGradients(classifier, await studentFeatures(weights, config, pixels), labels, options);
}
