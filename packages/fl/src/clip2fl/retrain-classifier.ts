import { OptionError, ShapeError } from '../errors';
import { SeededRandom } from '../random';
import { rowsOf } from '../weights';
import { RowDotKernel, paddedRowLength } from '../wasm/rowdot-kernel';
import { type LinearClassifier, initLinearClassifier } from './linear-classifier';

export interface RetrainClassifierOptions {
  /** Training features [N, d] (the federated feature bank). */
  features: Float32Array;
  labels: Int32Array;
  numClasses: number;
  dim: number;
  /** CLIP2FL `crt_epoch`: 300. */
  epochs?: number;
  batchSize?: number;
  /** CLIP2FL `lr_net`: 0.01. */
  lr?: number;
  /** Seeds the fresh classifier's init and the per-epoch shuffles. */
  seed: number;
  onEpoch?: (progress: { epoch: number; totalEpochs: number; loss: number }) => void | Promise<void>;
  /**
   * `wasm-simd` (the default where WebAssembly SIMD exists): the products in a SIMD kernel, float32 sums;
   * `javascript`: plain loops with float64 sums (the fallback). Both take the same steps in the same order
   * and agree to float rounding.
   */
  implementation?: 'wasm-simd' | 'javascript';
}

/**
 * CLIP2FL's classifier re-training (algorithms.md §2.8): a brand-new Linear(d → C) with PyTorch's
 * default init, plain SGD (no momentum, no weight decay), mean cross-entropy, shuffled batches
 * with the last partial batch kept.
 *
 * Not tfjs: a step is only 2·B·C·d multiply-adds (330k for the reference sizes) and 300 epochs are ~10k
 * steps, so tfjs's per-kernel dispatch (~20 kernels a step) costs several times the arithmetic. The two
 * products of a step run in a WebAssembly SIMD kernel (wasm/rowdot.wat), about 8× faster than the plain
 * JavaScript loops kept as the fallback (docs/BENCHMARKS.md). Parameters are float32 like PyTorch's.
 */
export async function retrainClassifier(opts: RetrainClassifierOptions): Promise<LinearClassifier> {
  const { numClasses: C, dim: d, features: X, labels } = opts;
  const epochs = opts.epochs ?? 300;
  const batchSize = opts.batchSize ?? 32;
  const lr = opts.lr ?? 0.01;
  const n = rowsOf(X, d, 'features');
  if (labels.length !== n) throw new ShapeError(`${labels.length} labels for ${n} feature rows`);
  labels.forEach((y, i) => {
    if (!(y >= 0 && y < C)) throw new ShapeError(`label ${y} at index ${i} is outside 0..${C - 1}`);
  });
  if (!Number.isInteger(epochs) || epochs < 0) throw new OptionError(`epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!(lr > 0)) throw new OptionError(`lr must be positive, got ${lr}`);

  const rng = new SeededRandom(opts.seed);
  const model = initLinearClassifier(C, d, rng.nextUint32());
  const maxBatch = Math.min(batchSize, Math.max(n, 1));
  const kernel = opts.implementation === 'javascript' ? null : RowDotKernel.create();
  const step = kernel ? kernelSgdStep(kernel, model, X, maxBatch, lr) : sgdStep(model, maxBatch, lr);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = rng.permutation(n);
    let lossSum = 0;
    for (let start = 0; start < n; start += batchSize) {
      lossSum += step(X, labels, order.subarray(start, Math.min(start + batchSize, n)));
    }
    await opts.onEpoch?.({ epoch, totalEpochs: epochs, loss: n > 0 ? lossSum / n : 0 });
  }
  step.finish();
  return model;
}

type SgdStep = ((X: Float32Array, labels: Int32Array, batch: Int32Array) => number) & { finish: () => void };

/**
 * sgdStep with the products in the SIMD kernel: X (rows zero-padded to a multiple of 8 floats) and the
 * weights live in kernel memory for the whole re-training; the batch rows are gathered by copyWithin; the
 * softmax, the loss and the bias stay in JavaScript (C values per row). `finish` copies the weights back.
 */
function kernelSgdStep(kernel: RowDotKernel, model: LinearClassifier, X: Float32Array, maxBatch: number, lr: number): SgdStep {
  const { numClasses: C, dim: d, weight: W, bias: b } = model;
  const dp = paddedRowLength(d);
  const n = X.length / d;
  kernel.reserve({ x: n * dp, w: C * dp, batch: maxBatch * dp, logits: maxBatch * C, coef: C * maxBatch });
  const [xk, wk, logits, coef] = [kernel.region('x'), kernel.region('w'), kernel.region('logits'), kernel.region('coef')];
  for (let i = 0; i < n; i++) xk.set(X.subarray(i * d, (i + 1) * d), i * dp);
  for (let c = 0; c < C; c++) wk.set(W.subarray(c * d, (c + 1) * d), c * dp);
  const memory = kernel.region('x').buffer;
  const all = new Float32Array(memory);
  const [xAt, wAt, batchAt, logitsAt, coefAt] = ['x', 'w', 'batch', 'logits', 'coef'].map((name) => kernel.offset(name));
  const probs = new Float64Array(C);
  const step = (_X: Float32Array, labels: Int32Array, batch: Int32Array): number => {
    const bs = batch.length;
    for (let t = 0; t < bs; t++) {
      const from = (xAt >> 2) + batch[t] * dp;
      all.copyWithin((batchAt >> 2) + t * dp, from, from + dp);
    }
    kernel.dotRows(batchAt, bs, wAt, C, dp, logitsAt);
    let loss = 0;
    const scale = 1 / bs;
    for (let t = 0; t < bs; t++) {
      let max = -Infinity;
      for (let c = 0; c < C; c++) {
        probs[c] = logits[t * C + c] + b[c];
        if (probs[c] > max) max = probs[c];
      }
      const y = labels[batch[t]];
      const zy = probs[y];
      let sum = 0;
      for (let c = 0; c < C; c++) sum += (probs[c] = Math.exp(probs[c] - max));
      loss += Math.log(sum) + max - zy;
      // coef[c, t] = −lr·∂loss/∂logit[t, c], laid out [C, B] for W[c] += Σ_t coef[c, t]·x_t.
      for (let c = 0; c < C; c++) coef[c * bs + t] = -lr * (probs[c] / sum - (c === y ? 1 : 0)) * scale;
    }
    for (let c = 0; c < C; c++) {
      let sb = 0;
      for (let t = 0; t < bs; t++) sb += coef[c * bs + t];
      b[c] += sb;
    }
    kernel.addProducts(coefAt, C, batchAt, bs, dp, wAt);
    return loss;
  };
  return Object.assign(step, {
    finish: () => {
      for (let c = 0; c < C; c++) W.set(wk.subarray(c * dp, c * dp + d), c * d);
    },
  });
}

/**
 * One SGD step of mean CE on the rows `batch` of X, updating `model` in place; returns the summed
 * loss. The rows are gathered into a contiguous buffer and the dot products use four independent
 * accumulators (about 2.5× faster in V8 than the naive loops).
 */
function sgdStep(model: LinearClassifier, maxBatch: number, lr: number): SgdStep {
  const { numClasses: C, dim: d, weight: W, bias: b } = model;
  const xb = new Float32Array(maxBatch * d);
  const G = new Float64Array(maxBatch * C); // ∂ mean-CE / ∂logits = (softmax − onehot) / B
  const logits = new Float64Array(C);
  const d4 = d - (d % 4);
  const step = (X: Float32Array, labels: Int32Array, batch: Int32Array): number => {
    const bs = batch.length;
    const scale = 1 / bs;
    let loss = 0;
    for (let t = 0; t < bs; t++) xb.set(X.subarray(batch[t] * d, batch[t] * d + d), t * d);
    for (let t = 0; t < bs; t++) {
      const x = t * d;
      let max = -Infinity;
      for (let c = 0; c < C; c++) {
        const w = c * d;
        let z0 = 0;
        let z1 = 0;
        let z2 = 0;
        let z3 = 0;
        for (let k = 0; k < d4; k += 4) {
          z0 += W[w + k] * xb[x + k];
          z1 += W[w + k + 1] * xb[x + k + 1];
          z2 += W[w + k + 2] * xb[x + k + 2];
          z3 += W[w + k + 3] * xb[x + k + 3];
        }
        for (let k = d4; k < d; k++) z0 += W[w + k] * xb[x + k];
        const z = b[c] + (z0 + z1) + (z2 + z3);
        logits[c] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(logits[c] - max);
      const y = labels[batch[t]];
      loss += Math.log(sum) + max - logits[y];
      for (let c = 0; c < C; c++) G[t * C + c] = (Math.exp(logits[c] - max) / sum - (c === y ? 1 : 0)) * scale;
    }
    // W[c] −= lr · Σ_t G[t, c]·x_t ; b[c] −= lr · Σ_t G[t, c]  (all G computed before any update)
    for (let c = 0; c < C; c++) {
      const w = c * d;
      let sb = 0;
      for (let t = 0; t < bs; t++) sb += G[t * C + c];
      for (let k = 0; k < d4; k += 4) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let t = 0; t < bs; t++) {
          const g = G[t * C + c];
          const x = t * d + k;
          s0 += g * xb[x];
          s1 += g * xb[x + 1];
          s2 += g * xb[x + 2];
          s3 += g * xb[x + 3];
        }
        W[w + k] -= lr * s0;
        W[w + k + 1] -= lr * s1;
        W[w + k + 2] -= lr * s2;
        W[w + k + 3] -= lr * s3;
      }
      for (let k = d4; k < d; k++) {
        let s = 0;
        for (let t = 0; t < bs; t++) s += G[t * C + c] * xb[t * d + k];
        W[w + k] -= lr * s;
      }
      b[c] -= lr * sb;
    }
    return loss;
  };
  return Object.assign(step, { finish: () => {} });
}
