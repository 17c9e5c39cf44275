import * as tf from '@tensorflow/tfjs';
import { SeededRandom, type ProgressFn } from '@clipfed/data';
import { AdamW } from './adamw';
import { matMul } from './fast-matmul';
import type { PretrainSource } from './corpus';
import type { ImageHead } from './image-tower';
import { tokenBatch, type TextTower } from './text-tower';

export interface TrainOptions {
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  weightDecay: number;
  seed: number;
  onProgress?: ProgressFn;
}

export interface TrainingInput {
  source: PretrainSource;
  /** [source.count, dim] frozen backbone features. */
  features: Float32Array;
}

export interface TrainResult {
  /** Mean loss over each tenth of the run. */
  lossCurve: number[];
  logitScale: number;
  seconds: number;
}

/** CLIP's temperature starts at 1/0.07 and is capped at 100, as in CLIP. */
const LOGIT_SCALE_INIT = Math.log(1 / 0.07);
const LOGIT_SCALE_MAX = Math.log(100);

/**
 * Symmetric contrastive (CLIP) training of the image head and text tower on frozen features.
 * Captions repeat within a batch (many images share a class), so the targets are not the
 * identity: each image's target is spread evenly over every caption in the batch that describes
 * it, and each caption's over every image it describes (UniCL-style).
 */
export function trainClip(inputs: TrainingInput[], image: ImageHead, text: TextTower, tokens: (caption: string) => Int32Array, opts: TrainOptions): TrainResult {
  const started = performance.now();
  const rng = new SeededRandom(opts.seed);
  const dim = image.opts.inputDim;
  const logitScale = tf.variable(tf.scalar(LOGIT_SCALE_INIT), true, 'logit_scale');
  const variables = [...image.variables, ...text.variables, logitScale];
  const optimizer = new AdamW({
    beta1: 0.9,
    beta2: 0.98,
    eps: 1e-6,
    weightDecay: opts.weightDecay,
    noDecay: new Set([...image.biases, ...text.noDecay, logitScale]),
  });
  const totalWeight = inputs.reduce((s, x) => s + x.source.weight, 0);
  const orders = inputs.map((x) => ({ perm: rng.permutation(x.source.count), pos: 0 }));
  const losses: number[] = [];

  for (let step = 0; step < opts.steps; step++) {
    let pick = rng.next() * totalWeight;
    let s = 0;
    while (s < inputs.length - 1 && pick >= inputs[s].source.weight) pick -= inputs[s++].source.weight;
    const { source, features } = inputs[s];
    const order = orders[s];
    const B = Math.min(opts.batchSize, source.count);

    const feats = new Float32Array(B * dim);
    const picked: number[] = [];
    for (let k = 0; k < B; k++) {
      if (order.pos >= order.perm.length) {
        order.perm = rng.permutation(source.count);
        order.pos = 0;
      }
      const i = order.perm[order.pos++];
      picked.push(i);
      feats.set(features.subarray(i * dim, (i + 1) * dim), k * dim);
    }
    const captions = picked.map((i) => source.caption(i, rng));
    const batch = tokenBatch(captions.map((c) => tokens(c.text)));
    const targets = new Float32Array(B * B);
    for (let i = 0; i < B; i++) {
      const keys = source.keys[picked[i]];
      for (let j = 0; j < B; j++) targets[i * B + j] = keys.includes(captions[j].target) ? 1 : 0;
    }

    const lr = schedule(step, opts);
    const { value, grads } = tf.variableGrads(() => {
      const img = tf.tidy(() => tf.tensor2d(feats, [B, dim]));
      const iEmb = image.forward(img, rng);
      const tEmb = text.forward(batch, true);
      const iN = iEmb.div(iEmb.norm('euclidean', 1, true).add(1e-8)) as tf.Tensor2D;
      const tN = tEmb.div(tEmb.norm('euclidean', 1, true).add(1e-8)) as tf.Tensor2D;
      const logits = matMul(iN, tN.transpose()).mul(logitScale.exp());
      const t = tf.tensor2d(targets, [B, B]);
      const rowTargets = t.div(t.sum(1, true));
      const tT = t.transpose();
      const colTargets = tT.div(tT.sum(1, true));
      const lossI = tf.neg(rowTargets.mul(tf.logSoftmax(logits, 1)).sum(1).mean());
      const lossT = tf.neg(colTargets.mul(tf.logSoftmax(logits.transpose(), 1)).sum(1).mean());
      return lossI.add(lossT).div(2) as tf.Scalar;
    }, variables);
    const gradMap = new Map<tf.Variable, tf.Tensor>();
    for (const v of variables) if (grads[v.name]) gradMap.set(v, grads[v.name]);
    optimizer.apply(gradMap, lr);
    tf.dispose(Object.values(grads));
    tf.tidy(() => logitScale.assign(logitScale.clipByValue(0, LOGIT_SCALE_MAX) as tf.Scalar));
    losses.push(value.dataSync()[0]);
    value.dispose();
    if (step % 10 === 0 || step + 1 === opts.steps) opts.onProgress?.({ stage: 'train', done: step + 1, total: opts.steps });
  }

  const tenth = Math.max(1, Math.floor(losses.length / 10));
  const lossCurve: number[] = [];
  for (let i = 0; i < losses.length; i += tenth) {
    const part = losses.slice(i, i + tenth);
    lossCurve.push(part.reduce((a, b) => a + b, 0) / part.length);
  }
  const scale = Math.exp(logitScale.dataSync()[0]);
  optimizer.dispose();
  logitScale.dispose();
  return { lossCurve, logitScale: scale, seconds: (performance.now() - started) / 1000 };
}

/** Linear warm-up, then cosine decay to zero. */
function schedule(step: number, opts: TrainOptions): number {
  if (step < opts.warmupSteps) return (opts.learningRate * (step + 1)) / opts.warmupSteps;
  const p = (step - opts.warmupSteps) / Math.max(1, opts.steps - opts.warmupSteps);
  return opts.learningRate * 0.5 * (1 + Math.cos(Math.PI * p));
}
