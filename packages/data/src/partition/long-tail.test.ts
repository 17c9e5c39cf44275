import { describe, expect, it } from 'vitest';
import { longTailClassCounts, sampleLongTail } from './long-tail';

const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);

describe('longTailClassCounts (algorithms.md §2.2)', () => {
  it('matches the CIFAR-10 table', () => {
    expect(longTailClassCounts(5000, 10, 100)).toEqual([5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]);
    expect(longTailClassCounts(5000, 10, 50)).toEqual([5000, 3237, 2096, 1357, 878, 568, 368, 238, 154, 100]);
    expect(longTailClassCounts(5000, 10, 10)).toEqual([5000, 3871, 2997, 2320, 1796, 1391, 1077, 834, 645, 500]);
    expect(sum(longTailClassCounts(5000, 10, 100))).toBe(12406);
    expect(sum(longTailClassCounts(5000, 10, 50))).toBe(13996);
    expect(sum(longTailClassCounts(5000, 10, 10))).toBe(20431);
  });

  it('matches the CIFAR-100 table (first and last five, totals)', () => {
    const if100 = longTailClassCounts(500, 100, 100);
    expect(if100.slice(0, 5)).toEqual([500, 477, 455, 434, 415]);
    expect(if100.slice(-5)).toEqual([6, 5, 5, 5, 5]);
    expect(sum(if100)).toBe(10847);
    const if50 = longTailClassCounts(500, 100, 50);
    expect(if50.slice(0, 5)).toEqual([500, 480, 462, 444, 426]);
    expect(if50.slice(-5)).toEqual([11, 11, 10, 10, 10]);
    expect(sum(if50)).toBe(12608);
    const if10 = longTailClassCounts(500, 100, 10);
    expect(if10.slice(-5)).toEqual([54, 53, 52, 51, 50]);
    expect(sum(if10)).toBe(19573);
  });

  it('gives the Fashion-MNIST-LT counts (6000 per class)', () => {
    expect(longTailClassCounts(6000, 10, 100)).toEqual([6000, 3596, 2156, 1292, 774, 464, 278, 166, 100, 60]);
    expect(longTailClassCounts(6000, 10, 50)).toEqual([6000, 3884, 2515, 1628, 1054, 682, 442, 286, 185, 120]);
    expect(longTailClassCounts(6000, 10, 10)).toEqual([6000, 4645, 3596, 2784, 2156, 1669, 1292, 1000, 774, 600]);
    expect(sum(longTailClassCounts(6000, 10, 100))).toBe(14886);
    expect(sum(longTailClassCounts(6000, 10, 50))).toBe(16796);
    expect(sum(longTailClassCounts(6000, 10, 10))).toBe(24516);
  });

  it('is balanced at IF 1 and rejects an inverted factor', () => {
    expect(longTailClassCounts(100, 4, 1)).toEqual([100, 100, 100, 100]);
    expect(() => longTailClassCounts(100, 4, 0.01)).toThrow(/>= 1/);
  });
});

describe('sampleLongTail', () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 10); // 100 per class, interleaved

  it('keeps n_c distinct samples of each class, head first', () => {
    const idx = sampleLongTail(labels, 10, 10, 7);
    const expected = longTailClassCounts(100, 10, 10);
    expect(idx.length).toBe(sum(expected));
    expect(new Set(idx).size).toBe(idx.length);
    const perClass = new Array(10).fill(0);
    for (const i of idx) perClass[labels[i]]++;
    expect(perClass).toEqual(expected);
    expect(labels[idx[0]]).toBe(0);
  });

  it('is deterministic for a seed and depends on it', () => {
    expect(sampleLongTail(labels, 10, 10, 7)).toEqual(sampleLongTail(labels, 10, 10, 7));
    expect(sampleLongTail(labels, 10, 10, 7)).not.toEqual(sampleLongTail(labels, 10, 10, 8));
  });

  it('explains a class that is too small', () => {
    const skewed = Int32Array.from({ length: 100 }, (_, i) => (i < 95 ? 0 : 1));
    expect(() => sampleLongTail(skewed, 2, 2, 0)).toThrow(/class 1 has 5 training images/);
  });
});
