import { describe, expect, it } from 'vitest';
import { MessageRateLimiter } from './message-rate-limiter';

describe('MessageRateLimiter', () => {
  it('allows a burst, refuses the flood, and refills over time', () => {
    const t0 = 1_000_000;
    const limiter = new MessageRateLimiter(10, 5);
    const results = Array.from({ length: 8 }, () => limiter.tryTake(t0));
    expect(results).toEqual([true, true, true, true, true, false, false, false]);
    expect(limiter.tryTake(t0 + 100)).toBe(true); // 0.1 s at 10/s refills one token
    expect(limiter.tryTake(t0 + 100)).toBe(false);
  });
});
