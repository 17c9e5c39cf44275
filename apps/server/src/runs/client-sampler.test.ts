import { describe, expect, it } from 'vitest';
import { runConfigSchema } from '@clipfed/protocol';
import { sampleClients } from './client-sampler';
import { privacySpent } from './privacy-spent';

const clients = Array.from({ length: 200 }, (_, i) => `c${i}`);

describe('client sampling', () => {
  it('without DP sampling is reproducible from the run seed and the round', () => {
    const config = runConfigSchema.parse({ clientFraction: 0.1 });
    expect(sampleClients(clients, config, 3)).toEqual(sampleClients(clients, config, 3));
    expect(sampleClients(clients, config, 3)).toHaveLength(20);
  });

  it('with a DP sampling rate draws each client independently from the CSPRNG: about q·N, never the same draw twice', () => {
    const config = runConfigSchema.parse({ dp: { clipNorm: 1, noiseMultiplier: 1, sampleRate: 0.25 } });
    const draws = Array.from({ length: 40 }, () => sampleClients(clients, config, 3));
    const mean = draws.reduce((s, d) => s + d.length, 0) / draws.length;
    expect(mean).toBeGreaterThan(40);
    expect(mean).toBeLessThan(60);
    expect(new Set(draws.map((d) => d.join())).size).toBe(draws.length);
  });

  it('keeps an empty Poisson draw (the round then releases noise only) instead of drawing again', () => {
    const config = runConfigSchema.parse({ dp: { clipNorm: 1, noiseMultiplier: 1, sampleRate: 0.05 } });
    // (1 - 0.05)^2 = 90 % of the draws among two clients are empty; a re-draw would never return one.
    const sizes = Array.from({ length: 200 }, () => sampleClients(['a', 'b'], config, 1).length);
    expect(sizes.filter((n) => n === 0).length).toBeGreaterThan(150);
  });

  it('the accountant claims amplification only for Poisson-sampled runs', () => {
    const sampled = privacySpent({ clipNorm: 1, noiseMultiplier: 1.1, delta: 1e-5, sampleRate: 0.01 }, 1000);
    const unsampled = privacySpent({ clipNorm: 1, noiseMultiplier: 1.1, delta: 1e-5 }, 1000);
    expect(sampled.dpEpsilon).toBeCloseTo(1.73, 1);
    expect(unsampled.dpEpsilon).toBeGreaterThan(500);
  });
});
