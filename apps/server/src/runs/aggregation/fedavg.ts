import { aggregateWeighted } from '@clipfed/fl';
import type { RuleDefinition } from './aggregation-rule';
import { admitClipped } from './keep-clipped';

/** FedAvg (McMahan et al. 2017): the mean of the updates weighted by each client's sample count. */
export const fedavgRule: RuleDefinition = {
  id: 'fedavg',
  summary: 'mean weighted by sample count (FedAvg)',
  create: (config) => ({
    id: 'fedavg',
    meanOfUpdates: true,
    streamingWeight: (numSamples) => numSamples,
    admit: admitClipped(config),
    combine: (_reference, updates) => aggregateWeighted(updates, 'fedavg'),
  }),
};
