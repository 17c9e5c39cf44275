import { coordinateMedian } from '@clipfed/fl';
import type { RuleDefinition } from './aggregation-rule';
import { admitClipped } from './keep-clipped';

/** Coordinate-wise median (Yin et al. 2018): robust to a minority of arbitrary updates; needs every update at once. */
export const medianRule: RuleDefinition = {
  id: 'median',
  summary: 'coordinate-wise median (robust)',
  create: (config) => ({
    id: 'median',
    admit: admitClipped(config),
    combine: (_reference, updates) => coordinateMedian(updates.map((u) => u.weights)),
  }),
};
