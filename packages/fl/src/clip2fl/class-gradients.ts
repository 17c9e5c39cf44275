import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors';
import { SeededRandom } from '../random';
import type { WeightSet } from '../types';
import { rowsOf } from '../weights';
import { type LinearClassifier, classifierLogits } from './linear-classifier';

/** ∂ mean-CE / ∂(weight, bias) of the classifier R for a batch of one class (algorithms.md §2.4). */
export interface ClassGradient {
  /** [C, d] */
  gW: Float32Array;
  /** [C] */
  gb: Float32Array;
}

/**
 * Closed form of the classifier gradient of mean CE with every label = `label`:
 *   P = softmax(F·Wᵀ + b),  G = P − e_label,  gW = Gᵀ·F / n,  gb = mean_rows(G).
 * Differentiable with respect to `features`, which is what gradient matching needs (no
 * second-order autodiff required).
 */
export function classGradientTensors(
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  features: tf.Tensor2D,
  label: number,
): { gW: tf.Tensor2D; gb: tf.Tensor1D } {
  const [n] = features.shape;
  const numClasses = weight.shape[0];
  if (!Number.isInteger(label) || label < 0 || label >= numClasses) throw new ShapeError(`label ${label} is outside 0..${numClasses - 1}`);
  if (n === 0) throw new ShapeError('class gradient of an empty batch');
  return tf.tidy(() => {
    const g = tf.sub(tf.softmax(classifierLogits(weight, bias, features)), tf.oneHot(tf.fill([n], label, 'int32'), numClasses));
    return {
      gW: tf.div(tf.matMul(tf.transpose(g), features), n) as tf.Tensor2D,
      gb: tf.mean(g, 0) as tf.Tensor1D,
    };
  });
}

export interface ClientClassGradientOptions {
  /** Samples per class per probe (CLIP2FL `batch_real`: 32). */
  batchSize?: number;
  /** Probes averaged per class (CLIP2FL: 10). Irrelevant for classes with at most batchSize samples. */
  repeats?: number;
  seed: number;
}

/**
 * A client's per-class gradients of R on its adapted, normalised features I* (CLIP2FL client step
 * A): for each class it holds, the average over `repeats` probes of the gradient on up to
 * `batchSize` of its samples drawn without replacement. Features are cached CLIP embeddings, so
 * there is no DSA augmentation; a class with ≤ batchSize samples gives the same probe every time
 * and is computed once.
 */
export async function computeClientClassGradients(
  classifier: LinearClassifier,
  features: Float32Array,
  labels: Int32Array,
  options: ClientClassGradientOptions,
): Promise<Map<number, ClassGradient>> {
  const { dim, numClasses } = classifier;
  const batchSize = options.batchSize ?? 32;
  const repeats = options.repeats ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new OptionError(`repeats must be a positive integer, got ${repeats}`);
  const n = rowsOf(features, dim, 'features');
  if (labels.length !== n) throw new ShapeError(`${labels.length} labels for ${n} feature rows`);

  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((y, i) => {
    if (y < 0 || y >= numClasses) throw new ShapeError(`label ${y} at index ${i} is outside 0..${numClasses - 1}`);
    byClass[y].push(i);
  });

  const rng = new SeededRandom(options.seed);
  const out = new Map<number, ClassGradient>();
  const weight = tf.tensor2d(classifier.weight, [numClasses, dim]);
  const bias = tf.tensor1d(classifier.bias);
  const all = tf.tensor2d(features, [n, dim]);
  try {
    for (const [c, indices] of byClass.entries()) {
      if (indices.length === 0) continue;
      const probes = indices.length <= batchSize ? 1 : repeats;
      const result = tf.tidy(() => {
        let sumW: tf.Tensor = tf.zeros([numClasses, dim]);
        let sumB: tf.Tensor = tf.zeros([numClasses]);
        for (let r = 0; r < probes; r++) {
          const pick = indices.length <= batchSize ? indices : sampleWithoutReplacement(indices, batchSize, rng);
          const { gW, gb } = classGradientTensors(weight, bias, tf.gather(all, tf.tensor1d(pick, 'int32')) as tf.Tensor2D, c);
          sumW = tf.add(sumW, gW);
          sumB = tf.add(sumB, gb);
        }
        return { gW: tf.div(sumW, probes), gb: tf.div(sumB, probes) };
      });
      out.set(c, { gW: (await result.gW.data()) as Float32Array, gb: (await result.gb.data()) as Float32Array });
      tf.dispose([result.gW, result.gb]);
    }
  } finally {
    tf.dispose([weight, bias, all]);
  }
  return out;
}

function sampleWithoutReplacement(indices: number[], k: number, rng: SeededRandom): number[] {
  const copy = indices.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(copy.length - i);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, k);
}

export const CLASS_GRADIENT_TENSORS = {
  classes: 'class_gradients.classes',
  weight: 'class_gradients.weight',
  bias: 'class_gradients.bias',
} as const;

/**
 * Packs a client's per-class gradients into three tensors (whatever the number of classes):
 * class ids [P] (small integers, exact in float32), weight gradients [P, C, d], bias gradients [P, C].
 */
export function classGradientsToWeightSet(grads: Map<number, ClassGradient>, numClasses: number, dim: number): WeightSet {
  const classes = [...grads.keys()].sort((a, b) => a - b);
  const p = classes.length;
  const w = new Float32Array(p * numClasses * dim);
  const b = new Float32Array(p * numClasses);
  classes.forEach((c, i) => {
    const g = grads.get(c)!;
    if (g.gW.length !== numClasses * dim || g.gb.length !== numClasses) {
      throw new ShapeError(`class ${c} gradient has ${g.gW.length}/${g.gb.length} values, expected ${numClasses * dim}/${numClasses}`);
    }
    w.set(g.gW, i * numClasses * dim);
    b.set(g.gb, i * numClasses);
  });
  return [
    { name: CLASS_GRADIENT_TENSORS.classes, shape: [p], data: Float32Array.from(classes) },
    { name: CLASS_GRADIENT_TENSORS.weight, shape: [p, numClasses, dim], data: w },
    { name: CLASS_GRADIENT_TENSORS.bias, shape: [p, numClasses], data: b },
  ];
}

/** The inverse of classGradientsToWeightSet; validates every shape and class id (the input is untrusted). */
export function classGradientsFromWeightSet(weights: WeightSet, numClasses: number, dim: number): Map<number, ClassGradient> {
  const find = (name: string) => {
    const t = weights.find((x) => x.name === name);
    if (!t) throw new ShapeError(`class gradients need a "${name}" tensor`);
    return t;
  };
  const classes = find(CLASS_GRADIENT_TENSORS.classes);
  const w = find(CLASS_GRADIENT_TENSORS.weight);
  const b = find(CLASS_GRADIENT_TENSORS.bias);
  const p = classes.data.length;
  if (classes.shape.length !== 1 || classes.shape[0] !== p) throw new ShapeError(`"${classes.name}" must be 1-D`);
  if (w.shape.join() !== [p, numClasses, dim].join() || w.data.length !== p * numClasses * dim) {
    throw new ShapeError(`"${w.name}" has shape [${w.shape}], expected [${p},${numClasses},${dim}]`);
  }
  if (b.shape.join() !== [p, numClasses].join() || b.data.length !== p * numClasses) {
    throw new ShapeError(`"${b.name}" has shape [${b.shape}], expected [${p},${numClasses}]`);
  }
  for (const t of [w, b]) {
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ShapeError(`"${t.name}" has a non-finite value (${t.data[bad]}) at index ${bad}`);
  }
  const out = new Map<number, ClassGradient>();
  classes.data.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new ShapeError(`class id ${c} is outside 0..${numClasses - 1}`);
    if (out.has(c)) throw new ShapeError(`class ${c} appears twice`);
    out.set(c, {
      gW: w.data.slice(i * numClasses * dim, (i + 1) * numClasses * dim),
      gb: b.data.slice(i * numClasses, (i + 1) * numClasses),
    });
  });
  return out;
}
