import { OptionError, ShapeError } from './errors';


/**
 * Many / medium / few-shot class groups by training-set count: many if count > manyAbove, few if
 * count < fewBelow, medium otherwise. ImageNet-LT's convention is 100 / 20 (head class 1,280).
 */
export interface ShotThresholds {
  manyAbove: number;
  fewBelow: number;
}

/** ImageNet-LT's thresholds (100, 20) multiplied by `scale`. */
export function scaledShotThresholds(scale: number): ShotThresholds {
  if (!(scale > 0)) throw new OptionError(`scale must be positive, got ${scale}`);
  return { manyAbove: 100 * scale, fewBelow: 20 * scale };
}

/**
 * Default for Fashion-MNIST-LT: scale 10 (many > 1,000, few < 200). Its head class has 6,000
 * images, ~5× ImageNet-LT's 1,280, and its tail is much less sparse (IF 100 ends at 60, not 5), so
 * the unscaled 100/20 would put almost every class in "many". With scale 10 the IF-100 counts
 * (6000, 3596, 2156, 1292 | 774, 464, 278 | 166, 100, 60) split 4 / 3 / 3, IF 50 splits 5 / 3 / 2
 * and IF 10 (tail 600) 7 / 3 / 0.
 * For a subsampled training set, scale the thresholds with it: scaledShotThresholds(10 · nMax / 6000).
 */
export const FASHION_MNIST_LT_SHOT_THRESHOLDS: ShotThresholds = scaledShotThresholds(10);

export type ShotGroup = 'many' | 'medium' | 'few';

export function shotGroups(trainCounts: ArrayLike<number>, thresholds: ShotThresholds = FASHION_MNIST_LT_SHOT_THRESHOLDS): ShotGroup[] {
  if (!(thresholds.fewBelow <= thresholds.manyAbove)) {
    throw new OptionError(`fewBelow (${thresholds.fewBelow}) must not exceed manyAbove (${thresholds.manyAbove})`);
  }
  return Array.from(trainCounts, (n) => (n > thresholds.manyAbove ? 'many' : n < thresholds.fewBelow ? 'few' : 'medium'));
}

export interface GroupedAccuracy {
  overall: number;
  /** Per class, NaN where the evaluation set has no sample of that class. */
  perClass: number[];
  /** Accuracy over the evaluation samples of each group's classes; null for an empty group. */
  many: number | null;
  medium: number | null;
  few: number | null;
}

/** Overall, per-class and many/medium/few-shot accuracy given each class's training count. */
export function groupedAccuracy(
  pred: ArrayLike<number>,
  labels: ArrayLike<number>,
  trainCounts: ArrayLike<number>,
  thresholds: ShotThresholds = FASHION_MNIST_LT_SHOT_THRESHOLDS,
): GroupedAccuracy {
  const groups = shotGroups(trainCounts, thresholds);
  const numClasses = groups.length;
  const correct = { many: 0, medium: 0, few: 0 };
  const total = { many: 0, medium: 0, few: 0 };
  if (pred.length !== labels.length) throw new ShapeError(`${pred.length} predictions for ${labels.length} labels`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y < 0 || y >= numClasses) throw new ShapeError(`label ${y} has no training count (${numClasses} classes)`);
    const g = groups[y];
    total[g]++;
    if (pred[i] === y) correct[g]++;
  }
  const of = (g: ShotGroup) => (total[g] > 0 ? correct[g] / total[g] : null);
  return {
    overall: accuracy(pred, labels),
    perClass: Array.from(perClassAccuracy(pred, labels, numClasses)),
    many: of('many'),
    medium: of('medium'),
    few: of('few'),
  };
}

/** Fraction of predictions equal to the labels (0 for an empty set). */
export function accuracy(pred: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkSameLength(pred, labels);
  if (labels.length === 0) return 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) correct++;
  return correct / labels.length;
}

/** Accuracy of each class over its own samples; NaN for a class with no samples. */
export function perClassAccuracy(pred: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): Float64Array {
  checkSameLength(pred, labels);
  const correct = new Float64Array(numClasses);
  const total = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) throw new ShapeError(`label ${y} at index ${i} is outside 0..${numClasses - 1}`);
    total[y]++;
    if (pred[i] === y) correct[y]++;
  }
  return correct.map((c, i) => (total[i] > 0 ? c / total[i] : Number.NaN));
}

function checkSameLength(pred: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (pred.length !== labels.length) throw new ShapeError(`${pred.length} predictions for ${labels.length} labels`);
}
