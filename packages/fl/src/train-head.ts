import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows } from './adapter';
import { CoupledAdam, FEDCLIP_ADAM } from './adam';
import { FlError, OptionError, ShapeError } from './errors';
import type { FeatureHead } from './feature-head';
import { type AdapterObjective, type MatMulMode, defaultMatMulMode } from './head-objective';
import { headArgmax } from './head-inference';
import type { DistillationOptions } from './kd';
import { SeededRandom } from './random';
import type { WeightSet } from './types';
import { rowsOf, tensorsToWeightSet } from './weights';

export interface TrainProgress {
  step: number;
  totalSteps: number;
  loss: number;
}

export interface TrainHeadOptions {
  /** Starting head weights (the global ones of this round); never modified. */
  weights: WeightSet;
  /** Raw CLIP image features [n, dim], row-major. */
  features: Float32Array;
  labels: Int32Array;
  /** Class text embeddings [K, dim] (normalised inside). */
  textEmbeddings: Float32Array;
  dim: number;
  epochs: number;
  batchSize?: number;
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Seeds the per-epoch shuffles. */
  seed: number;
  logitScale?: number;
  kd?: DistillationOptions;
  /** `clip` (FedCLIP's loss, the default) or `class-ce`. */
  objective?: AdapterObjective;
  /** Defaults to the faster one for the active backend (defaultMatMulMode). */
  matMulMode?: MatMulMode;
  /** Called after every step; may be async so a worker can yield or report progress. */
  onStep?: (progress: TrainProgress) => void | Promise<void>;
  /** Aborting stops training between steps with a TrainingAbortedError. */
  signal?: AbortSignal;
}

export interface TrainHeadResult {
  weights: WeightSet;
  /** Mean batch loss over all steps (0 when no step ran: a one-sample batch's 1×1 CLIP loss is 0). */
  meanLoss: number;
  steps: number;
  /** Text-prototype accuracy of the trained head on the training features. */
  trainAccuracy: number;
}

export class TrainingAbortedError extends FlError {
  override name = 'TrainingAbortedError';
}

/**
 * One client's local training of a head on CLIP features (algorithms.md §1.4-§1.5, whatever the head): a
 * fresh PyTorch-style Adam (FedCLIP's settings unless overridden), `epochs` passes over the data in seeded
 * shuffled order, batches of `batchSize` with the last partial batch kept and batches of one skipped.
 */
export async function trainHead(head: FeatureHead, opts: TrainHeadOptions): Promise<TrainHeadResult> {
  const { dim } = opts;
  const batchSize = opts.batchSize ?? 32;
  const logitScale = opts.logitScale ?? 100;
  const mode = opts.matMulMode ?? defaultMatMulMode();
  const n = rowsOf(opts.features, dim, 'features');
  const k = rowsOf(opts.textEmbeddings, dim, 'text embeddings');
  validateOptions(opts, n, k, batchSize);

  const rng = new SeededRandom(opts.seed);
  const epochBatches = batchSizesPerEpoch(n, batchSize);
  const totalSteps = opts.epochs * epochBatches.filter((s) => s > 1).length;
  const names = head.spec(dim).map((s) => s.name);

  const featuresT = tf.tensor2d(opts.features, [n, dim]);
  const textNorm = tf.tidy(() => l2NormalizeRows(tf.tensor2d(opts.textEmbeddings, [k, dim])));
  const teacherT = opts.kd ? tf.tensor2d(opts.kd.teacherLogits, [n, k]) : null;
  let params: tf.Tensor[] = head.upload(opts.weights, dim);
  const adam = new CoupledAdam({
    lr: opts.lr ?? FEDCLIP_ADAM.lr,
    betas: opts.betas ?? FEDCLIP_ADAM.betas,
    eps: opts.eps ?? FEDCLIP_ADAM.eps,
    weightDecay: opts.weightDecay ?? FEDCLIP_ADAM.weightDecay,
  });

  let step = 0;
  let lossSum = 0;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const order = rng.permutation(n);
      let start = 0;
      for (const size of epochBatches) {
        const idx = order.subarray(start, start + size);
        start += size;
        if (size < 2) continue; // the reference skips a batch of one (its B×B loss is a constant 0)
        if (opts.signal?.aborted) throw new TrainingAbortedError(`training stopped after ${step} of ${totalSteps} steps`);

        const batchLabels = new Int32Array(size);
        for (let i = 0; i < size; i++) batchLabels[i] = opts.labels[idx[i]];
        const { loss, grads } = tf.tidy(() => {
          const idxT = tf.tensor1d(idx, 'int32');
          const x = tf.gather(featuresT, idxT) as tf.Tensor2D;
          const text = tf.gather(textNorm, tf.tensor1d(batchLabels, 'int32')) as tf.Tensor2D;
          const kd =
            opts.kd && teacherT
              ? { textAll: textNorm, teacherLogits: tf.gather(teacherT, idxT) as tf.Tensor2D, temperature: opts.kd.temperature, alpha: opts.kd.alpha }
              : undefined;
          const classes = opts.objective === 'class-ce' ? { textAll: textNorm, labels: tf.tensor1d(batchLabels, 'int32') } : undefined;
          return head.lossAndGradients(params, { x, text, kd, classes }, logitScale, mode);
        });
        const next = adam.step(params, grads);
        tf.dispose([...grads, ...params]);
        params = next;

        const lossValue = (await loss.data())[0];
        loss.dispose();
        lossSum += lossValue;
        step++;
        await opts.onStep?.({ step, totalSteps, loss: lossValue });
      }
    }

    const trainAccuracy = await textPrototypeAccuracy(head, params, featuresT, textNorm, opts.labels);
    const weights = await tensorsToWeightSet(names.map((name, i) => ({ name, tensor: params[i] })));
    return { weights, meanLoss: step > 0 ? lossSum / step : 0, steps: step, trainAccuracy };
  } finally {
    tf.dispose(params);
    adam.dispose();
    tf.dispose([featuresT, textNorm]);
    if (teacherT) teacherT.dispose();
  }
}

/** Sizes of the batches of one epoch: full batches, then the remainder. */
export function batchSizesPerEpoch(n: number, batchSize: number): number[] {
  const sizes: number[] = [];
  for (let start = 0; start < n; start += batchSize) sizes.push(Math.min(batchSize, n - start));
  return sizes;
}

async function textPrototypeAccuracy(head: FeatureHead, params: readonly tf.Tensor[], featuresT: tf.Tensor2D, textNorm: tf.Tensor2D, labels: Int32Array): Promise<number> {
  const n = featuresT.shape[0];
  if (n === 0) return 0;
  const textT = tf.transpose(textNorm) as tf.Tensor2D;
  let correct = 0;
  try {
    const chunk = 1024;
    for (let start = 0; start < n; start += chunk) {
      const rows = Math.min(chunk, n - start);
      const pred = tf.tidy(() => headArgmax(head, params, tf.slice(featuresT, [start, 0], [rows, -1]) as tf.Tensor2D, textT));
      const values = await pred.data();
      pred.dispose();
      for (let i = 0; i < rows; i++) if (values[i] === labels[start + i]) correct++;
    }
  } finally {
    textT.dispose();
  }
  return correct / n;
}

function validateOptions(opts: TrainHeadOptions, n: number, k: number, batchSize: number): void {
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new OptionError(`epochs must be a non-negative integer, got ${opts.epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 2) throw new OptionError(`batchSize must be an integer >= 2, got ${batchSize}`);
  if (opts.labels.length !== n) throw new ShapeError(`${opts.labels.length} labels for ${n} feature rows`);
  for (let i = 0; i < n; i++) {
    const y = opts.labels[i];
    if (y < 0 || y >= k) throw new ShapeError(`label ${y} at index ${i} is outside 0..${k - 1} (there are ${k} text embeddings)`);
  }
  if (opts.kd) {
    if (opts.kd.teacherLogits.length !== n * k) {
      throw new ShapeError(`KD teacher logits hold ${opts.kd.teacherLogits.length} values, expected ${n}×${k} = ${n * k}`);
    }
    if (!(opts.kd.temperature > 0)) throw new OptionError(`KD temperature must be positive, got ${opts.kd.temperature}`);
    if (!(opts.kd.alpha >= 0)) throw new OptionError(`KD alpha must be >= 0, got ${opts.kd.alpha}`);
  }
}
