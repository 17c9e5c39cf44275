import { gaussianMechanismEpsilon, sampledGaussianEpsilon } from '@clipfed/fl';
import type { RunConfig } from '@clipfed/protocol';

/**
 * The (epsilon, delta) a DP run has spent after `rounds` aggregations. With Poisson client sampling it is the
 * sampled Gaussian mechanism's figure; otherwise every round is counted as a full Gaussian release (no
 * amplification claimed, since seeded or fraction sampling gives none that can be proved).
 */
export function privacySpent(dp: NonNullable<RunConfig['dp']>, rounds: number): { dpEpsilon: number; dpDelta: number } {
  const spent = dp.sampleRate !== undefined ? sampledGaussianEpsilon(dp.sampleRate, dp.noiseMultiplier, rounds, dp.delta) : gaussianMechanismEpsilon(dp.noiseMultiplier, rounds, dp.delta);
  return { dpEpsilon: spent.epsilon, dpDelta: dp.delta };
}
