import { describe, expect, it } from 'vitest';
import { accuracy, FASHION_MNIST_LT_SHOT_THRESHOLDS, groupedAccuracy, perClassAccuracy, scaledShotThresholds, shotGroups } from './accuracy';

describe('accuracy metrics', () => {
  it('computes overall and per-class accuracy (NaN for an absent class)', () => {
    const pred = [0, 1, 1, 2, 0];
    const labels = [0, 1, 2, 2, 1];
    expect(accuracy(pred, labels)).toBeCloseTo(3 / 5);
    expect(Array.from(perClassAccuracy(pred, labels, 4))).toEqual([1, 0.5, 0.5, Number.NaN]);
    expect(() => accuracy([1], [1, 2])).toThrow(/1 predictions for 2 labels/);
  });
});

describe('many / medium / few-shot groups', () => {
  it('splits Fashion-MNIST-LT at imbalance 100 into 4 / 3 / 3 classes by default', () => {
    const counts = Array.from({ length: 10 }, (_, c) => Math.floor(6000 * 0.01 ** (c / 9)));
    expect(counts).toEqual([6000, 3596, 2156, 1292, 774, 464, 278, 166, 100, 60]);
    expect(FASHION_MNIST_LT_SHOT_THRESHOLDS).toEqual({ manyAbove: 1000, fewBelow: 200 });
    expect(shotGroups(counts)).toEqual(['many', 'many', 'many', 'many', 'medium', 'medium', 'medium', 'few', 'few', 'few']);
    expect(shotGroups([101, 100, 20, 19], scaledShotThresholds(1))).toEqual(['many', 'medium', 'medium', 'few']);
  });

  it('reports overall, per-class and per-group accuracy (null for an empty group)', () => {
    const trainCounts = [5000, 500, 50];
    const labels = [0, 0, 1, 1, 2, 2];
    const pred = [0, 0, 1, 0, 0, 0];
    const r = groupedAccuracy(pred, labels, trainCounts);
    expect(r.overall).toBeCloseTo(0.5);
    expect(r.perClass).toEqual([1, 0.5, 0]);
    expect(r).toMatchObject({ many: 1, medium: 0.5, few: 0 });
    expect(groupedAccuracy([0, 1], [0, 1], [5000, 4000]).few).toBeNull();
  });
});
