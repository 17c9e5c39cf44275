import { centralisedTask } from '../run-task';
import { AdapterStrategy } from './adapter-strategy';
import type { StrategyDefinition } from './strategy';

/** The upper bound: one client trains on the union of every shard, through the same client code. */
export const centralisedStrategy: StrategyDefinition = {
  id: 'centralised',
  summary: 'upper bound: one client holds every shard',
  prepareTask: centralisedTask,
  create: (ctx) => new AdapterStrategy(ctx),
};
