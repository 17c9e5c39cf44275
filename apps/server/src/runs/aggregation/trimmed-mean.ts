import { trimmedMean } from '@clipfed/fl';
import type { RuleDefinition } from './aggregation-rule';
import { admitClipped } from './keep-clipped';

/** Share of the updates dropped from each end of every coordinate before averaging. */
export const TRIM_FRACTION = 0.2;

/** Coordinate-wise trimmed mean (Yin et al. 2018); needs every update at once. */
export const trimmedMeanRule: RuleDefinition = {
  id: 'trimmed-mean',
  summary: `coordinate-wise mean after dropping ${TRIM_FRACTION * 100} % from each end (robust)`,
  create: (config) => ({
    id: 'trimmed-mean',
    admit: admitClipped(config),
    combine: (_reference, updates) => trimmedMean(updates.map((u) => u.weights), TRIM_FRACTION),
  }),
};
