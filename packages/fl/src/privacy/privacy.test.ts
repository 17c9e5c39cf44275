import { describe, expect, it } from 'vitest';
import { gaussianMechanismEpsilon, gaussianRdp } from './rdp-accountant';
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

  it('refuses a non-positive noise multiplier or a bad delta', () => {
    expect(() => gaussianMechanismEpsilon(0, 1, 1e-5)).toThrow(/noise multiplier/);
    expect(() => gaussianMechanismEpsilon(1, 1, 1)).toThrow(/delta/);
  });
});

describe('client-level DP aggregation', () => {
  const global = [{ name: 'w', shape: [4], data: new Float32Array(4) }];
  const big = [{ name: 'w', shape: [4], data: Float32Array.from([30, 0, 0, 40]) }];
  const small = [{ name: 'w', shape: [4], data: Float32Array.from([0.3, 0, 0, 0.4]) }];

  it('without noise, averages the clipped deltas', () => {
    const out = aggregateWithClientLevelDp(global, [big, small], { clipNorm: 1, noiseMultiplier: 1e-12, seed: 1 });
    // big is clipped to norm 1: (0.6, 0, 0, 0.8); small (norm 0.5) is kept.
    Array.from(out[0].data).forEach((v, i) => expect(v).toBeCloseTo([0.45, 0, 0, 0.6][i], 5));
  });

  it('adds noise with the calibrated spread', () => {
    const n = 20_000;
    const g = [{ name: 'w', shape: [n], data: new Float32Array(n) }];
    const out = aggregateWithClientLevelDp(g, [g, g], { clipNorm: 2, noiseMultiplier: 1.5, seed: 3 });
    const std = updateNorm(out, g) / Math.sqrt(n);
    expect(std).toBeCloseTo((1.5 * 2) / 2, 1);
  });
});
