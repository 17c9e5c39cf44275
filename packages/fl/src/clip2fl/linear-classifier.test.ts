import { describe, expect, it } from 'vitest';
import { ShapeError } from '../errors';
import { classifierFromWeightSet, classifierToWeightSet, initLinearClassifier } from './linear-classifier';

describe('LinearClassifier', () => {
  it('round-trips through a WeightSet in PyTorch layout (weight [C, d], bias [C])', () => {
    const R = initLinearClassifier(3, 4, 1);
    const ws = classifierToWeightSet(R);
    expect(ws.map((t) => [t.name, t.shape])).toEqual([
      ['classifier.weight', [3, 4]],
      ['classifier.bias', [3]],
    ]);
    expect(classifierFromWeightSet(ws)).toEqual(R);
    ws[0].data[0] = 42;
    expect(R.weight[0]).not.toBe(42); // the WeightSet holds copies
  });

  it('rejects a malformed classifier', () => {
    const ws = classifierToWeightSet(initLinearClassifier(3, 4, 1));
    expect(() => classifierFromWeightSet([ws[0]])).toThrow(/"classifier.bias"/);
    expect(() => classifierFromWeightSet([ws[0], { ...ws[1], shape: [4], data: new Float32Array(4) }])).toThrow(ShapeError);
    expect(() => initLinearClassifier(1, 4, 0)).toThrow(/at least 2 classes/);
  });
});
