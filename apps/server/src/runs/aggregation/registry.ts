import type { RunConfig } from '@clipfed/protocol';
import type { AggregationRule, RuleDefinition } from './aggregation-rule';
import { withClientLevelDp } from './client-level-dp';
import { fedavgRule } from './fedavg';
import { medianRule } from './median';
import { trimmedMeanRule } from './trimmed-mean';
import { uniformRule } from './uniform';

/** Every aggregation rule a run can name in `aggregation`: one line each. */
export const AGGREGATION_RULES: { readonly [K in RunConfig['aggregation']]: RuleDefinition } = {
  fedavg: fedavgRule,
  uniform: uniformRule,
  median: medianRule,
  'trimmed-mean': trimmedMeanRule,
};

/** The run's aggregation rule, wrapped in client-level DP when the run asks for it. */
export function aggregationRuleFor(config: RunConfig): AggregationRule {
  const rule = AGGREGATION_RULES[config.aggregation].create(config);
  return config.dp ? withClientLevelDp(rule, config.dp) : rule;
}
