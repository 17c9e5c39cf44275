import type { WeightSet } from '../types';
import { clipUpdateNorm } from '../robust-aggregate';
import { SecureGaussian, type GaussianSource } from './secure-gaussian';

export interface ClientLevelDpOptions {
  /** Each client's update (its delta from the global model) is clipped to this L2 norm: the sensitivity. */
  clipNorm: number;
  /** Noise std = noiseMultiplier x clipNorm, added once to the sum of clipped deltas. */
  noiseMultiplier: number;
  /**
   * Where the noise comes from; by default the platform's CSPRNG, never a seeded generator (its seed would let
   * anyone regenerate the noise). Tests inject a source to check the arithmetic.
   */
  noise?: GaussianSource;
  /**
   * The mean's fixed denominator: with Poisson sampling, q x the clients eligible for the round (the expected number
   * drawn), so that the sum of clipped deltas plus noise is divided by a public constant and the sampled Gaussian
   * analysis holds (McMahan et al. 2018, the fixed-denominator estimator). Without it, the number of updates.
   */
  denominator?: number;
}

/**
 * DP-FedAvg (McMahan et al. 2018): clip every client's delta, average with equal weights, and add Gaussian noise
 * calibrated to one client's contribution. Sample counts are not used, since they would leak and change the
 * sensitivity.
 */
export function aggregateWithClientLevelDp(global: WeightSet, updates: readonly WeightSet[], opts: ClientLevelDpOptions): WeightSet {
  const denominator = opts.denominator ?? updates.length;
  // An empty Poisson draw still releases noise (a fixed denominator makes that a valid round); nothing else may be empty.
  if (!(denominator > 0)) throw new RangeError('no updates to aggregate');
  const rng = opts.noise ?? new SecureGaussian();
  const clipped = updates.map((u) => clipUpdateNorm(u, global, opts.clipNorm));
  const std = (opts.noiseMultiplier * opts.clipNorm) / denominator;
  return global.map((g, ti) => {
    const out = new Float32Array(g.data.length);
    for (let i = 0; i < out.length; i++) {
      let sum = 0;
      for (const c of clipped) sum += c[ti].data[i] - g.data[i];
      out[i] = g.data[i] + sum / denominator + std * rng.normal();
    }
    return { name: g.name, shape: [...g.shape], data: out };
  });
}
