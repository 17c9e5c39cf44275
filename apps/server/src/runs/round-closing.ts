import type { RoundTraffic, RunConfig, StrategyMetrics } from '@clipfed/protocol';
import type { WeightSet } from '@clipfed/fl';
import type { Evaluation } from './evaluator';
import type { AcceptedUpdate, OpenRound } from './round-lifecycle';
import type { RoundRecord } from './run-types';
import type { Strategy } from './strategies/strategy';
import { foldOwnImageUploads } from './update-admission';

export interface ClosedRoundResult {
  updates: AcceptedUpdate[];
  evaluation: Evaluation;
  /** What the round adds to its metrics row besides the evaluation: traffic, timings and the strategy's own. */
  extra: Partial<RoundTraffic> & StrategyMetrics;
}

/**
 * Turns a round that reached quorum into the next model: own-images uploads join the streaming sum under the share
 * cap, then the strategy aggregates, runs its server step and evaluates.
 */
export async function closeRound(strategy: Strategy, config: RunConfig, open: OpenRound): Promise<ClosedRoundResult> {
  const t0 = performance.now();
  const updates = [...open.accepted.values()];
  if (open.sum) {
    // Own-images uploads join the sum only now, when the round's total is known and the share cap can apply.
    const own = updates.filter((u) => u.deferred);
    const used = foldOwnImageUploads(open.sum, own.map((u) => ({ weights: u.weights, weight: u.numSamples })), config.maxClientShare);
    own.forEach((u, i) => (u.numSamples = used[i]));
  }
  const closed = { round: open.round, updates, eligible: open.eligible, sum: open.sum };
  const aggregated = strategy.aggregate(closed);
  const aggregateMs = performance.now() - t0;
  // A round with no uploads (an empty Poisson draw under DP) has no class gradients for a server step.
  const stepped = (updates.length > 0 ? await strategy.serverStep?.(closed) : undefined) ?? {};
  const t1 = performance.now();
  const evaluation = await strategy.evaluate();
  const evalMs = performance.now() - t1;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    updates,
    evaluation,
    extra: {
      numSamples: updates.reduce((s, u) => s + u.numSamples, 0),
      meanLoss: mean(updates.map((u) => u.loss)),
      meanTrainAccuracy: mean(updates.map((u) => u.trainAccuracy)),
      meanTrainMs: mean(updates.map((u) => u.trainMs)),
      selected: open.selectedAtStart,
      attempt: open.attempt,
      bytesUp: open.bytesUp,
      bytesDown: open.bytesDown,
      roundMs: Date.now() - open.startedAt,
      aggregateMs,
      evalMs,
      ...stepped,
      ...aggregated,
    },
  };
}

/** Keeps a round's uploads and the model they made (the last five rounds), for tests and auditors. */
export function keepRoundRecord(records: Map<number, RoundRecord>, round: number, mode: RunConfig['aggregation'], updates: AcceptedUpdate[], global: WeightSet): void {
  records.set(round, {
    round,
    mode,
    uploads: updates.map((u) => ({ clientId: u.clientId, numSamples: u.numSamples, weights: u.weights })),
    global,
  });
  records.delete(round - 5);
}
