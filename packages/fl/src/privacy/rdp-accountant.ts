/**
 * Privacy spent by repeated Gaussian mechanisms, with Rényi differential privacy (Mironov 2017).
 * One release with noise multiplier z (noise std = z x sensitivity) is (alpha, alpha / (2 z^2))-RDP; RDP adds up
 * over rounds; converting to (epsilon, delta)-DP takes the best order alpha of
 *   epsilon = rdp(alpha) + log((alpha - 1) / alpha) - (log(delta) + log(alpha)) / (alpha - 1)
 * (Balle et al. 2020, the conversion used by Opacus and TF Privacy). No amplification by sampling is claimed,
 * so the figure is an upper bound for runs that sample clients.
 */
export const RDP_ORDERS: readonly number[] = [
  1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 48, 64, 128, 256, 512, 1024,
];

export function gaussianRdp(noiseMultiplier: number, alpha: number): number {
  if (!(noiseMultiplier > 0)) throw new RangeError(`noise multiplier must be positive, got ${noiseMultiplier}`);
  return alpha / (2 * noiseMultiplier * noiseMultiplier);
}

export function epsilonFromRdp(rdpAtOrder: (alpha: number) => number, delta: number): { epsilon: number; order: number } {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  let best = { epsilon: Infinity, order: NaN };
  for (const alpha of RDP_ORDERS) {
    const eps = rdpAtOrder(alpha) + Math.log((alpha - 1) / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
    if (eps < best.epsilon) best = { epsilon: Math.max(0, eps), order: alpha };
  }
  return best;
}

/** (epsilon, delta) after `releases` Gaussian releases with the given noise multiplier. */
export function gaussianMechanismEpsilon(noiseMultiplier: number, releases: number, delta: number): { epsilon: number; order: number } {
  if (releases === 0) return { epsilon: 0, order: NaN };
  return epsilonFromRdp((alpha) => releases * gaussianRdp(noiseMultiplier, alpha), delta);
}
