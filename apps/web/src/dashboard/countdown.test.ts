import { describe, expect, it } from 'vitest';
import { clockOffset, formatAgo, formatCountdown } from './countdown';

describe('formatCountdown', () => {
  it('shows minutes and seconds, rounding up so a running round never reads 0:00', () => {
    expect(formatCountdown(65_000)).toBe('1:05');
    expect(formatCountdown(9_001)).toBe('0:10');
    expect(formatCountdown(1)).toBe('0:01');
  });
  it('adds hours for long deadlines', () => {
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
  });
  it('stops at 0:00 once the deadline has passed', () => {
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5_000)).toBe('0:00');
  });
});

describe('formatAgo', () => {
  const now = 1_000_000;
  it('says how long ago a client was heard from', () => {
    expect(formatAgo(now - 500, now)).toBe('just now');
    expect(formatAgo(now - 12_000, now)).toBe('12 s ago');
    expect(formatAgo(now - 180_000, now)).toBe('3 min ago');
    expect(formatAgo(now - 7_300_000, now)).toBe('2 h ago');
  });
  it('says never for a client restored from a checkpoint that has not come back', () => {
    expect(formatAgo(0, now)).toBe('never');
  });
  it('treats a last-seen slightly in the future (clock skew) as just now', () => {
    expect(formatAgo(now + 3_000, now)).toBe('just now');
  });
});

describe('clockOffset', () => {
  it('is what to add to this page clock to get the server clock', () => {
    const offset = clockOffset(10_000, 7_000);
    expect(7_500 + offset).toBe(10_500);
  });
});
