import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors';
import { SeededRandom } from '../random';
import type { WeightSet } from '../types';
import { rowsOf } from '../weights';
import type { ClassGradient } from './class-gradients';
import { rowDotKernelAvailable } from '../wasm/rowdot-kernel';
import { createKernelBankStep } from './feature-bank-kernel-step';
import { bankLossAndGradient, createBankStepContext, disposeBankStepContext } from './feature-bank-step';
import type { LinearClassifier } from './linear-classifier';
import { PCL_TEMPERATURE } from './pcl';

export const FEATURE_BANK_TENSOR = 'feature_bank';

/**
 * The server's federated features (CReFF/CLIP2FL): M per class, drawn N(0, 1) once and kept
 * across rounds. Rows are class-major: class c owns rows c·M … (c+1)·M − 1.
 */
export class FederatedFeatureBank {
  readonly numClasses: number;
  readonly perClass: number;
  readonly dim: number;
  /** [C·M, d], row-major; updated in place by updateFeatureBank. */
  features: Float32Array;

  private constructor(numClasses: number, perClass: number, dim: number, features: Float32Array) {
    if (!Number.isInteger(numClasses) || numClasses < 2) throw new ShapeError(`a feature bank needs at least 2 classes, got ${numClasses}`);
    if (!Number.isInteger(perClass) || perClass < 2) throw new ShapeError(`a feature bank needs at least 2 features per class, got ${perClass}`);
    if (!Number.isInteger(dim) || dim < 1) throw new ShapeError(`feature dimension must be a positive integer, got ${dim}`);
    if (features.length !== numClasses * perClass * dim) {
      throw new ShapeError(`feature bank holds ${features.length} values, expected ${numClasses}×${perClass}×${dim}`);
    }
    this.numClasses = numClasses;
    this.perClass = perClass;
    this.dim = dim;
    this.features = features;
  }

  /**
   * CLIP2FL's start: M = 100 features per class from N(0, 1), seeded. `initStd` rescales the draw
   * (the reference uses 1; 1/√d gives rows of about unit norm, the scale of normalised I*).
   */
  static create(opts: { numClasses: number; perClass?: number; dim: number; seed: number; initStd?: number }): FederatedFeatureBank {
    const perClass = opts.perClass ?? 100;
    const std = opts.initStd ?? 1;
    if (!(std > 0)) throw new ShapeError(`initStd must be positive, got ${std}`);
    const data = new SeededRandom(opts.seed).fillNormal(new Float32Array(opts.numClasses * perClass * opts.dim));
    if (std !== 1) for (let i = 0; i < data.length; i++) data[i] *= std;
    return new FederatedFeatureBank(opts.numClasses, perClass, opts.dim, data);
  }

  /** Labels of the rows: [0]·M + [1]·M + … */
  labels(): Int32Array {
    const out = new Int32Array(this.numClasses * this.perClass);
    for (let c = 0; c < this.numClasses; c++) out.fill(c, c * this.perClass, (c + 1) * this.perClass);
    return out;
  }

  classFeatures(c: number): Float32Array {
    const size = this.perClass * this.dim;
    return this.features.subarray(c * size, (c + 1) * size);
  }

  /** For checkpoints: one tensor [C, M, d]. */
  toWeightSet(): WeightSet {
    return [{ name: FEATURE_BANK_TENSOR, shape: [this.numClasses, this.perClass, this.dim], data: this.features.slice() }];
  }

  static fromWeightSet(weights: WeightSet): FederatedFeatureBank {
    const t = weights.find((w) => w.name === FEATURE_BANK_TENSOR);
    if (!t || t.shape.length !== 3) throw new ShapeError(`a feature bank checkpoint needs a 3-D "${FEATURE_BANK_TENSOR}" tensor [C, M, d]`);
    const [c, m, d] = t.shape;
    return new FederatedFeatureBank(c, m, d, t.data.slice());
  }
}

export interface FeatureBankProgress {
  step: number;
  totalSteps: number;
  loss: number;
  matchLoss: number;
  pclLoss: number;
}

export interface FeatureBankUpdateOptions {
  /** The probe classifier R (its gradients were computed by the clients); not changed here. */
  classifier: LinearClassifier;
  /** Per class, the gradients the clients holding it reported this round. */
  clientClassGradients: Map<number, ClassGradient[]>;
  /** CLIP text embeddings of the classes [C, d] (normalised inside). Needed when lambda > 0. */
  textEmbeddings?: Float32Array;
  /** SGD steps on the bank (CLIP2FL `match_epoch`: 100). */
  steps?: number;
  /** SGD learning rate on the bank (`lr_feature`: 0.1). */
  lr?: number;
  /** Weight of the prototype contrastive loss (`contrast_alpha`: 0.001; 0 gives CReFF). */
  lambda?: number;
  temperature?: number;
  onStep?: (progress: FeatureBankProgress) => void | Promise<void>;
  /**
   * `wasm-simd` (the default where WebAssembly SIMD exists): products in a SIMD kernel
   * (feature-bank-kernel-step.ts); `tfjs`: the tfjs step on the active backend (feature-bank-step.ts), the
   * fallback. Same steps, same results to float rounding.
   */
  implementation?: 'wasm-simd' | 'tfjs';
}

export interface FeatureBankUpdateResult {
  steps: number;
  /** Classes that received a matching term this round, ascending. */
  matchedClasses: number[];
  /** Losses before the last SGD step. */
  loss: number;
  matchLoss: number;
  pclLoss: number;
}

/**
 * CLIP2FL's server-side federated-feature step (algorithms.md §2.7, CReFF when lambda = 0):
 * for `steps` plain-SGD steps on the bank F,
 *   loss = Σ_{c with a target} D(∇_R CE(R(F_c), c), ḡ_c) + λ·PCL(F, T)
 * where ḡ_c is the unweighted mean of the clients' class-c gradients. The bank is updated in place.
 */
export async function updateFeatureBank(bank: FederatedFeatureBank, opts: FeatureBankUpdateOptions): Promise<FeatureBankUpdateResult> {
  const { numClasses: C, perClass: M, dim: d } = bank;
  const steps = opts.steps ?? 100;
  const lr = opts.lr ?? 0.1;
  const lambda = opts.lambda ?? 0.001;
  const temperature = opts.temperature ?? PCL_TEMPERATURE;
  const R = opts.classifier;
  if (R.numClasses !== C || R.dim !== d) throw new ShapeError(`classifier is ${R.numClasses}×${R.dim}, the bank ${C}×${d}`);
  if (!Number.isInteger(steps) || steps < 0) throw new OptionError(`steps must be a non-negative integer, got ${steps}`);
  if (!(lr > 0)) throw new OptionError(`lr must be positive, got ${lr}`);
  if (!(lambda >= 0)) throw new OptionError(`lambda must be >= 0, got ${lambda}`);
  if (lambda > 0) {
    if (!opts.textEmbeddings) throw new OptionError('the prototype contrastive loss (lambda > 0) needs textEmbeddings');
    if (rowsOf(opts.textEmbeddings, d, 'text embeddings') !== C) throw new ShapeError(`need ${C} text embeddings of dimension ${d}`);
  }

  const targets = meanTargets(opts.clientClassGradients, C, d);
  const matchedClasses = [...targets.keys()].sort((a, b) => a - b);
  if (matchedClasses.length === 0 && lambda === 0) {
    // CReFF with no client gradients this round: the loss is constant, the bank stays as it is.
    return { steps: 0, matchedClasses, loss: 0, matchLoss: 0, pclLoss: 0 };
  }
  const stepArgs = { numClasses: C, perClass: M, dim: d, lambda, temperature, weight: R.weight, bias: R.bias, targets, textEmbeddings: opts.textEmbeddings ?? null };
  const useKernel = opts.implementation === 'wasm-simd' || (opts.implementation === undefined && rowDotKernelAvailable());
  const last = useKernel ? await kernelSteps(bank, stepArgs, steps, lr, opts.onStep) : await tfjsSteps(bank, stepArgs, steps, lr, opts.onStep);
  return { steps, matchedClasses, ...last };
}

type StepArgs = Parameters<typeof createBankStepContext>[0];
type Losses = { loss: number; matchLoss: number; pclLoss: number };

async function kernelSteps(bank: FederatedFeatureBank, args: StepArgs, steps: number, lr: number, onStep: FeatureBankUpdateOptions['onStep']): Promise<Losses> {
  const kernel = createKernelBankStep({ ...args, features: bank.features });
  let last: Losses = { loss: 0, matchLoss: 0, pclLoss: 0 };
  for (let step = 1; step <= steps; step++) {
    const { match, pcl } = kernel.step(lr);
    last = { loss: match + args.lambda * pcl, matchLoss: match, pclLoss: pcl };
    await onStep?.({ step, totalSteps: steps, ...last });
  }
  bank.features = kernel.features();
  return last;
}

async function tfjsSteps(bank: FederatedFeatureBank, args: StepArgs, steps: number, lr: number, onStep: FeatureBankUpdateOptions['onStep']): Promise<Losses> {
  const { numClasses: C, perClass: M, dim: d } = args;
  const ctx = createBankStepContext(args);
  // One tensor per class block: the objective separates by class, and per-block 2-D products are
  // far faster on tfjs-wasm than slicing or batching one [C·M, d] tensor.
  let blocks = Array.from({ length: C }, (_, c) => tf.tensor2d(bank.classFeatures(c), [M, d]));
  let last: Losses = { loss: 0, matchLoss: 0, pclLoss: 0 };
  try {
    for (let step = 1; step <= steps; step++) {
      const { match, pcl, grads } = bankLossAndGradient(ctx, blocks);
      const next = tf.tidy(() => blocks.map((f, c) => tf.sub(f, tf.mul(grads[c], lr)) as tf.Tensor2D));
      tf.dispose([...blocks, ...grads]);
      blocks = next;
      const [matchLoss, pclLoss] = [(await match.data())[0], (await pcl.data())[0]];
      tf.dispose([match, pcl]);
      last = { loss: matchLoss + args.lambda * pclLoss, matchLoss, pclLoss };
      await onStep?.({ step, totalSteps: steps, ...last });
    }
    const updated = new Float32Array(C * M * d);
    for (let c = 0; c < C; c++) updated.set(await blocks[c].data(), c * M * d);
    bank.features = updated;
  } finally {
    tf.dispose(blocks);
    disposeBankStepContext(ctx);
  }
  return last;
}

/** ḡ_c: unweighted mean over the clients that reported class c (class counts are never sent). */
function meanTargets(grads: Map<number, ClassGradient[]>, C: number, d: number): Map<number, ClassGradient> {
  const out = new Map<number, ClassGradient>();
  for (const [c, list] of grads) {
    if (!Number.isInteger(c) || c < 0 || c >= C) throw new ShapeError(`gradient for class ${c}, outside 0..${C - 1}`);
    if (list.length === 0) continue;
    const accW = new Float64Array(C * d);
    const accB = new Float64Array(C);
    for (const g of list) {
      if (g.gW.length !== C * d || g.gb.length !== C) {
        throw new ShapeError(`class ${c}: a gradient has ${g.gW.length}/${g.gb.length} values, expected ${C * d}/${C}`);
      }
      for (let i = 0; i < accW.length; i++) accW[i] += g.gW[i];
      for (let i = 0; i < C; i++) accB[i] += g.gb[i];
    }
    out.set(c, { gW: Float32Array.from(accW, (v) => v / list.length), gb: Float32Array.from(accB, (v) => v / list.length) });
  }
  return out;
}
