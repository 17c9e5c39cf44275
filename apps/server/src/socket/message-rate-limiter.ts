/**
 * A token bucket per socket: `burst` messages at once, refilled at `perSecond`. Heavier limits belong to the
 * round logic (one update per client per round); this only stops a client from flooding the event loop.
 */
export class MessageRateLimiter {
  private tokens: number;
  private last: number | null = null;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  tryTake(now = Date.now()): boolean {
    const elapsed = this.last === null ? 0 : Math.max(0, now - this.last);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
