import { clipUpdateNorm, type WeightSet } from '@clipfed/fl';
import type { RunConfig } from '@clipfed/protocol';

/** The run's optional `clipUpdateNorm`: each accepted delta is scaled down to at most that L2 norm. */
export function admitClipped(config: RunConfig): (weights: WeightSet, reference: WeightSet) => WeightSet {
  const bound = config.clipUpdateNorm;
  return bound === undefined ? (weights) => weights : (weights, reference) => clipUpdateNorm(weights, reference, bound);
}
