import { describe, expect, it } from 'vitest';
import { EmptySampleError, fmt, fmtSummary, summarize } from './stats';

describe('bench statistics', () => {
  it('gives median, quartiles and range of an unsorted sample', () => {
    const s = summarize([5, 1, 4, 2, 3]);
    expect(s).toEqual({ n: 5, median: 3, min: 1, max: 5, q1: 2, q3: 4 });
    expect(summarize([1, 2, 3, 10]).median).toBe(2.5);
  });

  it('formats to three significant digits and names the spread', () => {
    expect(fmt(1234.4)).toBe('1234');
    expect(fmt(12.345)).toBe('12.3');
    expect(fmt(0.012345)).toBe('0.012');
    expect(fmtSummary(summarize([10, 12, 30]), 'ms')).toBe('12.0 ms (10.0–30.0, n=3)');
    expect(fmtSummary(summarize([7]), 'ms')).toBe('7.00 ms (1 run)');
  });

  it('refuses an empty sample', () => {
    expect(() => summarize([])).toThrow(EmptySampleError);
  });
});
