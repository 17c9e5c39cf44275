import { SeededRandom } from '@clipfed/fl';
import type { RunConfig } from '@clipfed/protocol';

/**
 * Picks a round's participants: ceil(fraction x available), clamped to [minClients, maxClientsPerRound],
 * drawn without replacement with a generator seeded by (run seed, round) so a run is reproducible.
 * DP runs with a sampling rate draw each client independently from the CSPRNG instead (Poisson sampling): a
 * seeded draw would let anyone with the public seed tell who took part, and amplification by sampling needs
 * that to stay secret. An empty draw is kept: the round releases noise only, exactly as the sampled Gaussian
 * analysis assumes (drawing again would condition the sample on being non-empty, which the accountant does not model).
 */
export function sampleClients(available: readonly string[], config: RunConfig, round: number): string[] {
  const rate = config.dp?.sampleRate;
  if (rate !== undefined) return poissonSample(available, rate);
  const wanted = Math.min(
    available.length,
    Math.max(config.minClients, Math.min(config.maxClientsPerRound, Math.ceil(config.clientFraction * available.length))),
  );
  const rng = new SeededRandom(config.seed * 100_003 + round);
  const sorted = [...available].sort();
  return Array.from(rng.permutation(sorted.length).subarray(0, wanted), (i) => sorted[i]);
}

function poissonSample(available: readonly string[], rate: number): string[] {
  const coins = globalThis.crypto.getRandomValues(new Uint32Array(available.length));
  return available.filter((_, i) => coins[i] / 2 ** 32 < rate);
}
