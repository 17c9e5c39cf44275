import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  classifierFromWeightSet,
  classifierToWeightSet,
  FederatedFeatureBank,
  initLinearClassifier,
  retrainClassifier,
  updateFeatureBank,
  CLASSIFIER_BIAS,
  CLASSIFIER_WEIGHT,
  FEATURE_BANK_TENSOR,
  type ClassGradient,
  type FeatureScale,
  type LinearClassifier,
  type WeightSet,
} from '@clipfed/fl';
import type { Clip2flSettings, ServerStepStats } from '@clipfed/protocol';

export type { ServerStepStats };

export const CLIP2FL_STATE_TENSORS: readonly string[] = [FEATURE_BANK_TENSOR, CLASSIFIER_WEIGHT, CLASSIFIER_BIAS];

/**
 * The server half of CLIP2FL / CReFF (algorithms.md §2.7-§2.8): the federated feature bank F and
 * the balanced classifier R. Each round moves F by gradient matching against the clients'
 * per-class gradients of R (+ λ·PCL towards the CLIP text embeddings), then trains a brand-new R
 * on F. Both steps yield to the event loop after every bank step and every re-training epoch, so
 * sockets keep flowing during the several seconds a full-size step takes.
 */
export class Clip2flServerState {
  private constructor(
    readonly bank: FederatedFeatureBank,
    public classifier: LinearClassifier,
  ) {}

  static create(opts: { numClasses: number; dim: number; settings: Clip2flSettings; seed: number; featureScale?: FeatureScale }): Clip2flServerState {
    const bank = FederatedFeatureBank.create({
      numClasses: opts.numClasses,
      perClass: opts.settings.featuresPerClass,
      dim: opts.dim,
      seed: opts.seed * 31 + 1,
      // On the scale of the client model's features: R learns from them at SGD lr 0.01, and a bank 1/√d the size
      // of a raw feature layer leaves it near chance after 300 epochs.
      initStd: opts.settings.bankInitStd ?? (opts.featureScale === 'raw' ? 1 : 1 / Math.sqrt(opts.dim)),
    });
    return new Clip2flServerState(bank, initLinearClassifier(opts.numClasses, opts.dim, opts.seed * 31 + 2));
  }

  /** For checkpoints: `feature_bank` [C, M, d], `classifier.weight` [C, d], `classifier.bias` [C]. */
  toWeightSet(): WeightSet {
    return [...this.bank.toWeightSet(), ...classifierToWeightSet(this.classifier)];
  }

  static fromWeightSet(weights: WeightSet, expect: { numClasses: number; dim: number; featuresPerClass: number }): Clip2flServerState {
    const bank = FederatedFeatureBank.fromWeightSet(weights);
    const classifier = classifierFromWeightSet(weights);
    const want = `${expect.numClasses}x${expect.featuresPerClass}x${expect.dim}`;
    if (`${bank.numClasses}x${bank.perClass}x${bank.dim}` !== want) throw new Error(`feature bank is ${bank.numClasses}x${bank.perClass}x${bank.dim}, the run needs ${want}`);
    if (classifier.numClasses !== expect.numClasses || classifier.dim !== expect.dim) {
      throw new Error(`classifier is ${classifier.numClasses}x${classifier.dim}, the run needs ${expect.numClasses}x${expect.dim}`);
    }
    return new Clip2flServerState(bank, classifier);
  }

  async step(opts: {
    /** The tfjs backend in use, for the metrics (chosen once at server start by initNodeTfBackend). */
    backend: string;
    gradients: Map<number, ClassGradient[]>;
    clientsWithGradients: number;
    textEmbeddings: Float32Array;
    settings: Clip2flSettings;
    lambda: number;
    seed: number;
  }): Promise<ServerStepStats> {
    const s = opts.settings;
    const t0 = performance.now();
    const before = this.bank.features.slice();
    const matched = await updateFeatureBank(this.bank, {
      classifier: this.classifier,
      clientClassGradients: opts.gradients,
      textEmbeddings: opts.textEmbeddings,
      steps: s.matchSteps,
      lr: s.featureLr,
      lambda: opts.lambda,
      onStep: () => yieldToEventLoop(),
    });
    const bankShift = rmsRowShift(before, this.bank.features, this.bank.numClasses * this.bank.perClass);
    const t1 = performance.now();
    let retrainLoss = NaN;
    this.classifier = await retrainClassifier({
      features: this.bank.features,
      labels: this.bank.labels(),
      numClasses: this.bank.numClasses,
      dim: this.bank.dim,
      epochs: s.retrainEpochs,
      batchSize: s.retrainBatchSize,
      lr: s.retrainLr,
      seed: opts.seed,
      onEpoch: async (p) => {
        retrainLoss = p.loss;
        await yieldToEventLoop();
      },
    });
    return {
      backend: opts.backend,
      matchedClasses: matched.matchedClasses,
      clientsWithGradients: opts.clientsWithGradients,
      matchSteps: matched.steps,
      matchLoss: matched.matchLoss,
      pclLoss: matched.pclLoss,
      bankShift,
      retrainEpochs: s.retrainEpochs,
      retrainLoss,
      matchMs: t1 - t0,
      retrainMs: performance.now() - t1,
    };
  }
}

/** sqrt(Σ‖after_i − before_i‖² / rows): the root mean square of the rows' L2 displacements. */
function rmsRowShift(before: Float32Array, after: Float32Array, rows: number): number {
  let sum = 0;
  for (let i = 0; i < before.length; i++) {
    const d = after[i] - before[i];
    sum += d * d;
  }
  return Math.sqrt(sum / rows);
}
