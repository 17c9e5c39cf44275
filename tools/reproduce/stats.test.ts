import { describe, expect, it } from 'vitest';
import { formatPercent, meanStd } from './stats';

describe('mean ± std over seeds', () => {
  it('uses the sample standard deviation', () => {
    const { mean, std, n } = meanStd([0.7, 0.8, 0.9]);
    expect(mean).toBeCloseTo(0.8, 12);
    expect(n).toBe(3);
    expect(std).toBeCloseTo(0.1, 12);
  });

  it('formats percentages, skips missing values, and shows a lone value without a spread', () => {
    expect(formatPercent([0.7, 0.8, 0.9])).toBe('80.0 ± 10.0');
    expect(formatPercent([0.755, null, undefined])).toBe('75.5');
    expect(formatPercent([null])).toBe('–');
  });
});
