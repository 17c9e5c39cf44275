import { describe, expect, it } from 'vitest';
import { initAdapterWeights } from './adapter';
import { accuracy, perClassAccuracy, predictWithTextPrototypes } from './predict';
import { forEachBackend } from './testing';

describe('accuracy metrics', () => {
  it('computes overall and per-class accuracy (NaN for an absent class)', () => {
    const pred = [0, 1, 1, 2, 0];
    const labels = [0, 1, 2, 2, 1];
    expect(accuracy(pred, labels)).toBeCloseTo(3 / 5);
    expect(Array.from(perClassAccuracy(pred, labels, 4))).toEqual([1, 0.5, 0.5, Number.NaN]);
    expect(() => accuracy([1], [1, 2])).toThrow(/1 predictions for 2 labels/);
  });
});

forEachBackend(['cpu', 'wasm'], () => {
  it('zero-shot picks the text prototype with the highest cosine, whatever the feature norm', () => {
    const d = 3;
    const text = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const features = new Float32Array([10, 1, 0, 0.1, 0.2, 0.1, -5, -5, 1, 0, 0, 3]);
    expect(Array.from(predictWithTextPrototypes(null, features, text, d))).toEqual([0, 1, 2, 2]);
  });

  it('predicts in chunks that agree with one pass, with or without an adapter', () => {
    const d = 8;
    const n = 2500; // more than one 1024-row chunk
    const features = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 12.9898) * 3);
    const text = Float32Array.from({ length: 4 * d }, (_, i) => Math.cos(i * 78.233));
    const w = initAdapterWeights(d, 1);
    const all = predictWithTextPrototypes(w, features, text, d);
    const tail = predictWithTextPrototypes(w, features.subarray(2000 * d), text, d);
    expect(Array.from(all.subarray(2000))).toEqual(Array.from(tail));
    expect(new Set(all).size).toBeGreaterThan(1);
  });
});
