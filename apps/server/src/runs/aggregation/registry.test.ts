import { describe, expect, it } from 'vitest';
import { initAdapterWeights } from '@clipfed/fl';
import { runConfigSchema } from '@clipfed/protocol';
import { withClientLevelDp } from './client-level-dp';
import { aggregationRuleFor, AGGREGATION_RULES } from './registry';

const base = initAdapterWeights(8, 1);
const shifted = (by: number) => base.map((t) => ({ ...t, data: t.data.map((v) => v + by) }));

describe('aggregation rules', () => {
  it('weights FedAvg by sample count and uniform equally, both folding uploads as they arrive', () => {
    const fedavg = aggregationRuleFor(runConfigSchema.parse({ aggregation: 'fedavg' }));
    const uniform = aggregationRuleFor(runConfigSchema.parse({ aggregation: 'uniform' }));
    expect([fedavg.streamingWeight?.(30), uniform.streamingWeight?.(30)]).toEqual([30, 1]);
    const updates = [
      { weights: shifted(1), numSamples: 3 },
      { weights: shifted(-1), numSamples: 1 },
    ];
    expect(fedavg.combine(base, updates, 1, 2)[0].data[0] - base[0].data[0]).toBeCloseTo(0.5, 5);
    expect(uniform.combine(base, updates, 1, 2)[0].data[0] - base[0].data[0]).toBeCloseTo(0, 5);
  });

  it('gives median and trimmed mean every update at once, and they ignore one outlier among five', () => {
    for (const aggregation of ['median', 'trimmed-mean'] as const) {
      const rule = aggregationRuleFor(runConfigSchema.parse({ aggregation }));
      expect(rule.streamingWeight).toBeUndefined();
      const updates = [0.1, 0.2, 0.3, 0.4, 900].map((by) => ({ weights: shifted(by), numSamples: 1 }));
      expect(rule.combine(base, updates, 1, 2)[0].data[0] - base[0].data[0]).toBeLessThan(0.5);
    }
  });

  it('wraps a mean rule in client-level DP: clipped, noised, accounted, never streamed', () => {
    const rule = aggregationRuleFor(runConfigSchema.parse({ aggregation: 'uniform', dp: { clipNorm: 0.1, noiseMultiplier: 1 } }));
    expect(rule.id).toBe('dp(uniform)');
    expect(rule.streamingWeight).toBeUndefined();
    const out = rule.combine(base, [{ weights: shifted(5), numSamples: 1 }], 1, 2);
    // One client's delta is clipped to 0.1 (L2) before the noise (std 0.1) is added: nowhere near +5 per value.
    expect(Math.abs(out[0].data[0] - base[0].data[0])).toBeLessThan(1);
    expect(rule.metricsFor?.(3)).toMatchObject({ dpEpsilon: expect.any(Number), dpDelta: 1e-5 });
    expect(rule.metricsFor!(3).dpEpsilon).toBeGreaterThan(rule.metricsFor!(1).dpEpsilon!);
  });

  it('refuses DP around a rule whose noise it cannot calibrate, in the settings and in the wrapper', () => {
    const asked = runConfigSchema.safeParse({ aggregation: 'median', dp: { clipNorm: 1, noiseMultiplier: 1 } });
    expect(asked.success).toBe(false);
    expect(asked.error?.issues[0].message).toMatch(/mean aggregation/);
    const median = AGGREGATION_RULES.median.create(runConfigSchema.parse({}));
    expect(() => withClientLevelDp(median, { clipNorm: 1, noiseMultiplier: 1, delta: 1e-5 })).toThrow(/not a mean/);
  });
});
