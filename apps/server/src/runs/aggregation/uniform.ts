import { aggregateWeighted } from '@clipfed/fl';
import type { RuleDefinition } from './aggregation-rule';
import { admitClipped } from './keep-clipped';

/** Every client counts the same, whatever its sample count. */
export const uniformRule: RuleDefinition = {
  id: 'uniform',
  summary: 'plain mean, every client weighted equally',
  create: (config) => ({
    id: 'uniform',
    meanOfUpdates: true,
    streamingWeight: () => 1,
    admit: admitClipped(config),
    combine: (_reference, updates) => aggregateWeighted(updates, 'uniform'),
  }),
};
