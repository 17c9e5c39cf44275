import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPercent } from './format';

describe('formatPercent', () => {
  it('shows accuracy as a percentage with one decimal', () => {
    expect(formatPercent(0.4567)).toBe('45.7 %');
    expect(formatPercent(1)).toBe('100.0 %');
  });
  it('shows a dash for a value not measured yet', () => {
    expect(formatPercent(undefined)).toBe('–');
    expect(formatPercent(Number.NaN)).toBe('–');
  });
});

describe('formatBytes', () => {
  it('picks a unit that keeps the number short', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2_101_248)).toBe('2.1 MB');
    expect(formatBytes(45_300)).toBe('45.3 kB');
    expect(formatBytes(3.2e9)).toBe('3.20 GB');
  });
});

describe('formatDuration', () => {
  it('keeps sub-millisecond precision for fast server steps and minutes for long rounds', () => {
    expect(formatDuration(0.4321)).toBe('0.43 ms');
    expect(formatDuration(250.4)).toBe('250 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});
