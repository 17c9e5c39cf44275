import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors';
import { type DistillationOptions, distillationLoss } from '../kd';
import { SeededRandom } from '../random';
import { type TrainProgress, TrainingAbortedError, batchSizesPerEpoch } from '../train-head';
import type { WeightSet } from '../types';
import { tensorsToWeightSet } from '../weights';
import { type BatchStatistics, type Convolution, type StudentParams, pixelsTensor, studentForward, uploadStudent } from './student-forward';
import { imageCount, predictWithStudent } from './student-inference';
import { BN_MOMENTUM, type StudentConfig, type StudentLayout, isRunningStatistic, studentLayout, studentSpec } from './student-spec';

export interface TrainStudentOptions {
  /** Starting student (the global one of this round); never modified. */
  weights: WeightSet;
  config: StudentConfig;
  /** Images [n, H, W, Cin], row-major (NHWC), already scaled/normalised as the run wants them. */
  pixels: Float32Array;
  labels: Int32Array;
  epochs: number;
  /** CLIP2FL: 32. */
  batchSize?: number;
  /** Plain SGD, no momentum (CLIP2FL `lr_local_training`: 0.1). */
  lr?: number;
  /** Coupled L2 as torch.optim.SGD's `weight_decay` (g += wd·θ on every trained tensor); CLIP2FL: 0. */
  weightDecay?: number;
  /** Seeds the per-epoch shuffles. */
  seed: number;
  /** KD from CLIP zero-shot logits [n, C] (CLIP2FL: T = 3, α = 1); absent gives plain cross-entropy (FedAvg/CReFF clients). */
  kd?: DistillationOptions;
  onStep?: (progress: TrainProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface TrainStudentResult {
  /** Trained parameters and updated BN running statistics. */
  weights: WeightSet;
  meanLoss: number;
  steps: number;
  /** Accuracy of the student's own classifier on the training images, eval mode. */
  trainAccuracy: number;
}

/**
 * One client's local training of the student (algorithms.md §2.5): a fresh plain SGD, `epochs` passes in
 * seeded shuffled order, the last partial batch kept, loss = CE + α·T²·KL(teacher ‖ student) at temperature
 * T. BN runs in training mode and its running statistics move by momentum 0.1 with the unbiased batch
 * variance, as PyTorch's BatchNorm2d does; they are returned with the weights so FedAvg averages them.
 * Gradients come from tfjs autodiff through im2col convolutions (trainable on wasm and fast on cpu).
 */
export async function trainStudent(opts: TrainStudentOptions): Promise<TrainStudentResult> {
  const layout = studentLayout(opts.config);
  const { numClasses } = layout.config;
  const batchSize = opts.batchSize ?? 32;
  const lr = opts.lr ?? 0.1;
  const weightDecay = opts.weightDecay ?? 0;
  const n = imageCount(opts.pixels, layout);
  validate(opts, n, numClasses, batchSize, lr);

  const spec = studentSpec(opts.config);
  const trainableNames = spec.map((s) => s.name).filter((name) => !isRunningStatistic(name));
  const params = uploadStudent(opts.weights, opts.config);
  const labelsT = tf.tensor1d(opts.labels, 'int32');
  const teacherT = opts.kd ? tf.tensor2d(opts.kd.teacherLogits, [n, numClasses]) : null;
  const rng = new SeededRandom(opts.seed);
  const epochBatches = batchSizesPerEpoch(n, batchSize);
  const totalSteps = opts.epochs * epochBatches.length;

  let step = 0;
  let lossSum = 0;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const order = rng.permutation(n);
      let start = 0;
      for (const size of epochBatches) {
        const idx = order.subarray(start, start + size);
        start += size;
        if (opts.signal?.aborted) throw new TrainingAbortedError(`training stopped after ${step} of ${totalSteps} steps`);
        const { loss: value, grads, stats } = tf.tidy(() => {
          const idxT = tf.tensor1d(idx, 'int32');
          const teacher = teacherT && opts.kd ? { logits: tf.gather(teacherT, idxT) as tf.Tensor2D, temperature: opts.kd.temperature, alpha: opts.kd.alpha } : undefined;
          return studentLossAndGradients(params, layout, batchPixels(opts.pixels, layout, idx), tf.gather(labelsT, idxT) as tf.Tensor1D, teacher);
        });
        trainableNames.forEach((name, i) => {
          const old = params.get(name)!;
          params.set(name, tf.tidy(() => tf.sub(old, tf.mul(weightDecay > 0 ? tf.add(grads[i], tf.mul(old, weightDecay)) : grads[i], lr))));
          old.dispose();
        });
        for (const s of stats) updateRunningStatistics(params, s);
        tf.dispose([...grads, ...stats.flatMap((s) => [s.mean, s.variance])]);

        const lossValue = (await value.data())[0];
        value.dispose();
        lossSum += lossValue;
        step++;
        await opts.onStep?.({ step, totalSteps, loss: lossValue });
      }
    }
    const weights = await tensorsToWeightSet(spec.map(({ name }) => ({ name, tensor: params.get(name)! })));
    const trainAccuracy = n === 0 ? 0 : accuracyOf(await predictWithStudent(weights, opts.config, opts.pixels), opts.labels);
    return { weights, meanLoss: step > 0 ? lossSum / step : 0, steps: step, trainAccuracy };
  } finally {
    tf.dispose([...params.values(), labelsT]);
    teacherT?.dispose();
  }
}

/**
 * The training loss of one batch (CE + optional α·KD at temperature T) with train-mode BN, its gradients
 * with respect to every trainable tensor (in spec order, running statistics excluded) by tfjs autodiff, and
 * the batch statistics each BN layer saw. The caller disposes all returned tensors.
 */
export function studentLossAndGradients(
  params: StudentParams,
  layout: StudentLayout,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  teacher?: { logits: tf.Tensor2D; temperature: number; alpha: number },
  convolve?: Convolution,
): { loss: tf.Scalar; grads: tf.Tensor[]; stats: BatchStatistics[] } {
  const trainableNames = [...params.keys()].filter((name) => !isRunningStatistic(name));
  const stats: BatchStatistics[] = [];
  const { value, grads } = tf.tidy(() => {
    const y = tf.oneHot(labels, layout.config.numClasses);
    const lossOf = (...trainables: tf.Tensor[]): tf.Scalar => {
      const current = new Map(params);
      trainableNames.forEach((name, i) => current.set(name, trainables[i]));
      const { logits } = studentForward(current, layout, x, 'train', (s) => stats.push({ ...s, mean: tf.keep(s.mean), variance: tf.keep(s.variance) }), convolve);
      let loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1))) as tf.Scalar;
      if (teacher) loss = tf.add(loss, distillationLoss(logits, teacher.logits, teacher.temperature, teacher.alpha)) as tf.Scalar;
      return loss;
    };
    return tf.valueAndGrads(lossOf)(trainableNames.map((name) => params.get(name)!));
  });
  return { loss: value, grads, stats };
}

/** running ← (1 − m)·running + m·batch, with the unbiased batch variance (PyTorch's BatchNorm2d). */
function updateRunningStatistics(params: Map<string, tf.Tensor>, s: BatchStatistics): void {
  const unbiased = s.count > 1 ? s.count / (s.count - 1) : 1;
  for (const [part, value, factor] of [
    ['running_mean', s.mean, 1],
    ['running_var', s.variance, unbiased],
  ] as const) {
    const name = `${s.bn}.${part}`;
    const old = params.get(name)!;
    params.set(name, tf.tidy(() => tf.add(tf.mul(old, 1 - BN_MOMENTUM), tf.mul(value, BN_MOMENTUM * factor))));
    old.dispose();
  }
}

/** The images at `idx` as one NHWC batch (copied on the JavaScript side: one upload per step). */
function batchPixels(pixels: Float32Array, layout: StudentLayout, idx: Int32Array): tf.Tensor4D {
  const { inputHeight: h, inputWidth: w, inputChannels: c } = layout.config;
  const size = h * w * c;
  const out = new Float32Array(idx.length * size);
  idx.forEach((row, i) => out.set(pixels.subarray(row * size, (row + 1) * size), i * size));
  return pixelsTensor(out, layout, 0, idx.length);
}

function accuracyOf(pred: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) correct++;
  return correct / labels.length;
}

function validate(opts: TrainStudentOptions, n: number, numClasses: number, batchSize: number, lr: number): void {
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new OptionError(`epochs must be a non-negative integer, got ${opts.epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!(lr > 0)) throw new OptionError(`lr must be positive, got ${lr}`);
  if (!((opts.weightDecay ?? 0) >= 0)) throw new OptionError(`weightDecay must be >= 0, got ${opts.weightDecay}`);
  if (opts.labels.length !== n) throw new ShapeError(`${opts.labels.length} labels for ${n} images`);
  opts.labels.forEach((y, i) => {
    if (!(y >= 0 && y < numClasses)) throw new ShapeError(`label ${y} at index ${i} is outside 0..${numClasses - 1}`);
  });
  if (opts.kd) {
    if (opts.kd.teacherLogits.length !== n * numClasses) throw new ShapeError(`KD teacher logits hold ${opts.kd.teacherLogits.length} values, expected ${n}×${numClasses}`);
    if (!(opts.kd.temperature > 0)) throw new OptionError(`KD temperature must be positive, got ${opts.kd.temperature}`);
    if (!(opts.kd.alpha >= 0)) throw new OptionError(`KD alpha must be >= 0, got ${opts.kd.alpha}`);
  }
}
