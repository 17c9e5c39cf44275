import type { WeightSet } from '@clipfed/fl';
import type { RunConfig, StrategyMetrics } from '@clipfed/protocol';

/** One accepted client update as an aggregation rule sees it. */
export interface RuleInput {
  weights: WeightSet;
  numSamples: number;
}

/**
 * How a round's accepted updates become the next model (Flower's `aggregate_fit`, without the transport).
 * A rule with `streamingWeight` is folded one upload at a time into an O(P) streaming sum; a rule without it
 * is given every update at once at the round's close.
 */
export interface AggregationRule {
  readonly id: string;
  /** A (weighted) mean: one client moves it by at most its clipped delta / n, which client-level DP relies on. */
  readonly meanOfUpdates?: boolean;
  /** The weight of an update in the streaming sum; absent when the rule needs all updates together. */
  streamingWeight?(numSamples: number): number;
  /** What is kept of an accepted update before aggregation (e.g. its delta clipped to a norm). */
  admit(weights: WeightSet, reference: WeightSet): WeightSet;
  /**
   * Combines the round's updates into the next model; `reference` is what the clients were sent, `eligible` the
   * number of ready clients the round was drawn from.
   */
  combine(reference: WeightSet, updates: readonly RuleInput[], round: number, eligible: number): WeightSet;
  /** What this rule adds to a round's metrics row (e.g. the privacy spent so far). */
  metricsFor?(round: number): StrategyMetrics;
}

export interface RuleDefinition {
  id: RunConfig['aggregation'];
  /** One line for `--help` and the docs. */
  summary: string;
  create(config: RunConfig): AggregationRule;
}
