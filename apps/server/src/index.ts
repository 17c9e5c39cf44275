/** The server as a library: what tests, tools and embedders start and inspect. */
export { startServer, maxUpdateBytesFor, type FederatedServer, type ServerOptions } from './server';
export { FederatedRun, RunError, type RunDeps, type RoundRecord } from './runs/federated-run';
export { RunRegistry } from './runs/run-registry';
export { RunStore } from './runs/run-store';
export { runConfigFromFlags, RUN_FLAGS, RUN_FLAGS_HELP } from './cli/run-flags';
export { STRATEGIES, strategyFor } from './runs/strategies/registry';
export type { Strategy, StrategyDefinition, StrategyContext } from './runs/strategies/strategy';
export { ClassGradientStrategy } from './runs/strategies/clip2fl/class-gradient-strategy';
export { AGGREGATION_RULES, aggregationRuleFor } from './runs/aggregation/registry';
export { DATASETS, datasetFor } from './runs/datasets/registry';
