import { describe, expect, it } from 'vitest';
import { gaussianMechanismEpsilon, gaussianRdp, sampledGaussianEpsilon, sampledGaussianRdp } from './rdp-accountant';
import { SecureGaussian } from './secure-gaussian';
import { SeededRandom } from '../random';
import { aggregateWithClientLevelDp } from './client-level-dp';
import { updateNorm } from '../robust-aggregate';

describe('RDP accountant for the Gaussian mechanism', () => {
  it('matches the closed form of one release', () => {
    expect(gaussianRdp(2, 8)).toBeCloseTo(1, 12);
  });

  it('spends nothing before the first release and more with every round', () => {
    expect(gaussianMechanismEpsilon(1, 0, 1e-5).epsilon).toBe(0);
    const eps = [1, 10, 100].map((t) => gaussianMechanismEpsilon(1.1, t, 1e-5).epsilon);
    expect(eps[0]).toBeLessThan(eps[1]);
    expect(eps[1]).toBeLessThan(eps[2]);
  });

  it('agrees with the analytic bound for one Gaussian release (sigma = 5, delta = 1e-5)', () => {
    // Classic bound: sigma >= sqrt(2 ln(1.25/delta)) / epsilon, so epsilon <= sqrt(2 ln(1.25e5)) / 5 = 0.968.
    const { epsilon } = gaussianMechanismEpsilon(5, 1, 1e-5);
    expect(epsilon).toBeGreaterThan(0.5);
    expect(epsilon).toBeLessThan(0.968);
  });

  it('tries orders just above 1: sigma 1 for 1000 rounds is 649, not the 668 a grid starting at 1.25 gives', () => {
    const { epsilon, order } = gaussianMechanismEpsilon(1, 1000, 1e-5);
    expect(order).toBeLessThan(1.25);
    // Closed form at the best real order, found by a fine scan: an independent check of the grid.
    let best = Infinity;
    for (let a = 1.001; a < 2; a += 0.0005) best = Math.min(best, 500 * a + Math.log((a - 1) / a) - (Math.log(1e-5) + Math.log(a)) / (a - 1));
    expect(best).toBeCloseTo(648.7, 0);
    expect(epsilon).toBeGreaterThanOrEqual(best);
    expect(epsilon).toBeLessThan(best + 0.5);
  });

  it('refuses a non-positive noise multiplier or a bad delta', () => {
    expect(() => gaussianMechanismEpsilon(0, 1, 1e-5)).toThrow(/noise multiplier/);
    expect(() => gaussianMechanismEpsilon(1, 1, 1)).toThrow(/delta/);
  });
});

/**
 * An independent computation of the sampled Gaussian mechanism's RDP, straight from its definition
 * (Mironov, Talwar and Zhang 2019, section 3): D_alpha is the larger of E_mu0[(mu/mu0)^alpha] and
 * E_mu[(mu0/mu)^alpha] with mu0 = N(0, s^2) and mu = (1-q) N(0, s^2) + q N(1, s^2), each integrated by the plain
 * midpoint rule on densities (no log domain, no binomial sums, no shared code), over a dense grid of orders.
 */
function independentEpsilon(q: number, sigma: number, steps: number, delta: number): number {
  const density = (z: number, mean: number) => Math.exp(-((z - mean) ** 2) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
  const rdp = (alpha: number) => {
    let forward = 0;
    let backward = 0;
    const h = sigma / 200;
    for (let z = -30 * sigma; z < 30 * sigma + 1; z += h) {
      const m0 = density(z + h / 2, 0);
      const m = (1 - q) * m0 + q * density(z + h / 2, 1);
      if (m0 === 0 || m === 0) continue;
      forward += m0 * (m / m0) ** alpha * h;
      backward += m * (m0 / m) ** alpha * h;
    }
    return Math.log(Math.max(forward, backward)) / (alpha - 1);
  };
  let best = Infinity;
  for (let alpha = 1.01; alpha <= 40; alpha += alpha < 3 ? 0.01 : 0.25) {
    best = Math.min(best, steps * rdp(alpha) + Math.log((alpha - 1) / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1));
  }
  return best;
}

describe('RDP accountant for Poisson-sampled clients (sampled Gaussian mechanism)', () => {
  it('agrees with an independent numeric integration of the definition, within 1 %', () => {
    for (const [q, sigma, steps] of [
      [0.01, 1.1, 1000],
      [0.05, 1.0, 200],
      [0.1, 2.0, 50],
    ] as const) {
      const ours = sampledGaussianEpsilon(q, sigma, steps, 1e-5).epsilon;
      const independent = independentEpsilon(q, sigma, steps, 1e-5);
      // Our grid of orders is coarser than the independent scan, so it may only be slightly above, never below.
      expect(ours).toBeGreaterThan(independent * 0.995);
      expect(ours).toBeLessThan(independent * 1.01);
    }
  });

  it('sigma 1.1, q 0.01, 1000 rounds is about 1.7, where no amplification would claim about 560', () => {
    expect(sampledGaussianEpsilon(0.01, 1.1, 1000, 1e-5).epsilon).toBeCloseTo(1.73, 1);
    expect(gaussianMechanismEpsilon(1.1, 1000, 1e-5).epsilon).toBeGreaterThan(500);
  });

  it('integer and fractional orders meet: the binomial sum and the integral agree where both apply', () => {
    for (const alpha of [2, 3, 8, 32]) {
      const atInteger = sampledGaussianRdp(0.02, 1.3, alpha);
      const justAbove = sampledGaussianRdp(0.02, 1.3, alpha + 1e-7);
      expect(Math.abs(justAbove - atInteger) / atInteger).toBeLessThan(1e-6);
    }
  });

  it('sampling every client is the plain Gaussian mechanism', () => {
    expect(sampledGaussianEpsilon(1, 1.5, 20, 1e-5)).toEqual(gaussianMechanismEpsilon(1.5, 20, 1e-5));
  });
});

describe('DP noise', () => {
  it('comes from the CSPRNG: two aggregations of the same updates get different noise, with no seed to regenerate it', () => {
    const g = [{ name: 'w', shape: [64], data: new Float32Array(64) }];
    const first = aggregateWithClientLevelDp(g, [g], { clipNorm: 1, noiseMultiplier: 1 });
    const second = aggregateWithClientLevelDp(g, [g], { clipNorm: 1, noiseMultiplier: 1 });
    expect(Array.from(first[0].data)).not.toEqual(Array.from(second[0].data));
  });

  it('is standard normal', () => {
    const source = new SecureGaussian();
    const n = 200_000;
    let sum = 0;
    let squares = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const x = source.normal();
      sum += x;
      squares += x * x;
      if (Math.abs(x) > 2) beyond2++;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.015);
    expect(squares / n).toBeCloseTo(1, 1);
    expect(beyond2 / n).toBeCloseTo(0.0455, 2);
  });
});

describe('client-level DP aggregation', () => {
  const global = [{ name: 'w', shape: [4], data: new Float32Array(4) }];
  const big = [{ name: 'w', shape: [4], data: Float32Array.from([30, 0, 0, 40]) }];
  const small = [{ name: 'w', shape: [4], data: Float32Array.from([0.3, 0, 0, 0.4]) }];

  it('with a fixed denominator (Poisson sampling) divides the clipped sum by it, and releases noise alone when nobody was drawn', () => {
    const out = aggregateWithClientLevelDp(global, [big, small], { clipNorm: 1, noiseMultiplier: 1e-12, noise: new SeededRandom(1), denominator: 4 });
    Array.from(out[0].data).forEach((v, i) => expect(v).toBeCloseTo([0.225, 0, 0, 0.3][i], 5));
    const wide = [{ name: 'w', shape: [20_000], data: new Float32Array(20_000) }];
    const noiseOnly = aggregateWithClientLevelDp(wide, [], { clipNorm: 2, noiseMultiplier: 1, denominator: 4 });
    const std = Math.sqrt(noiseOnly[0].data.reduce((s, v) => s + v * v, 0) / 20_000);
    expect(std).toBeCloseTo(0.5, 1); // sigma * C / denominator
    expect(() => aggregateWithClientLevelDp(wide, [], { clipNorm: 2, noiseMultiplier: 1 })).toThrow(/no updates/);
  });

  it('without noise, averages the clipped deltas', () => {
    const out = aggregateWithClientLevelDp(global, [big, small], { clipNorm: 1, noiseMultiplier: 1e-12, noise: new SeededRandom(1) });
    // big is clipped to norm 1: (0.6, 0, 0, 0.8); small (norm 0.5) is kept.
    Array.from(out[0].data).forEach((v, i) => expect(v).toBeCloseTo([0.45, 0, 0, 0.6][i], 5));
  });

  it('adds noise with the calibrated spread', () => {
    const n = 20_000;
    const g = [{ name: 'w', shape: [n], data: new Float32Array(n) }];
    const out = aggregateWithClientLevelDp(g, [g, g], { clipNorm: 2, noiseMultiplier: 1.5 });
    const std = updateNorm(out, g) / Math.sqrt(n);
    expect(std).toBeCloseTo((1.5 * 2) / 2, 1);
  });
});
