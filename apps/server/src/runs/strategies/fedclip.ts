import { AdapterStrategy } from './adapter-strategy';
import type { StrategyDefinition } from './strategy';

/** FedCLIP (Lu et al. 2023): every client trains the shared attention adapter; the server aggregates it. */
export const fedclipStrategy: StrategyDefinition = {
  id: 'fedclip',
  summary: 'FedCLIP: one shared adapter, aggregated every round (default)',
  create: (ctx) => new AdapterStrategy(ctx),
};
