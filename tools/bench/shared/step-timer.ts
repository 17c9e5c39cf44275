/**
 * Times the steps of a loop the benchmark does not own (training, the feature-bank update, re-training): call
 * `tick` from its per-step callback, and each interval between two calls is one step. The first `warmup`
 * intervals (kernel compilation, first allocations) are dropped. Runs in Node and in a browser page alike.
 */
export function stepTimer(warmup: number): { tick: () => void; samples: number[] } {
  let last = performance.now();
  let seen = 0;
  const samples: number[] = [];
  return {
    tick: () => {
      const now = performance.now();
      if (seen++ >= warmup) samples.push(now - last);
      last = now;
    },
    samples,
  };
}
