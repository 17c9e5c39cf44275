import { SeededRandom } from '@clipfed/fl';
import type { RunConfig } from '@clipfed/protocol';

/**
 * Picks a round's participants: ceil(fraction x available), clamped to [minClients, maxClientsPerRound],
 * drawn without replacement with a generator seeded by (run seed, round) so a run is reproducible.
 */
export function sampleClients(available: readonly string[], config: RunConfig, round: number): string[] {
  const wanted = Math.min(
    available.length,
    Math.max(config.minClients, Math.min(config.maxClientsPerRound, Math.ceil(config.clientFraction * available.length))),
  );
  const rng = new SeededRandom(config.seed * 100_003 + round);
  const sorted = [...available].sort();
  return Array.from(rng.permutation(sorted.length).subarray(0, wanted), (i) => sorted[i]);
}
