import type { RoundMetricsRow, RoundTraffic, StrategyMetrics } from '@clipfed/protocol';
import type { Evaluation } from './evaluator';
import type { RunLog } from './strategies/strategy';

/** One evaluated round as the run records it (round 0: the initial model, with no participants). */
export interface EvaluatedRound {
  round: number;
  evaluation: Evaluation;
  participants: string[];
  extra: Partial<RoundTraffic> & StrategyMetrics;
}

/** The metrics row of a round: its evaluation beside zero-shot CLIP's, who took part, traffic and timings. */
export function metricsRow(runId: string, zeroShot: Evaluation, r: EvaluatedRound): RoundMetricsRow {
  return {
    runId,
    round: r.round,
    time: new Date().toISOString(),
    accuracy: r.evaluation.accuracy,
    heldOutAccuracy: r.evaluation.heldOutAccuracy,
    zeroShotAccuracy: zeroShot.accuracy,
    zeroShotHeldOutAccuracy: zeroShot.heldOutAccuracy,
    perSet: r.evaluation.perSet,
    ...(r.evaluation.personalAccuracy !== undefined
      ? { personalAccuracy: r.evaluation.personalAccuracy, zeroShotPersonalAccuracy: zeroShot.personalAccuracy }
      : {}),
    ...(r.evaluation.shots ? { shots: r.evaluation.shots, zeroShotShots: zeroShot.shots } : {}),
    ...(r.evaluation.balanced ? { balancedHead: r.evaluation.balanced } : {}),
    participants: r.participants,
    ...r.extra,
  };
}

/** The log line of an evaluated round. */
export function logRoundEvaluated(log: RunLog, runId: string, zeroShot: Evaluation, r: EvaluatedRound): void {
  log.info(
    {
      runId,
      round: r.round,
      accuracy: +r.evaluation.accuracy.toFixed(4),
      zeroShot: +zeroShot.accuracy.toFixed(4),
      ...(r.evaluation.balanced ? { balancedAccuracy: +r.evaluation.balanced.accuracy.toFixed(4) } : {}),
    },
    'round evaluated',
  );
}
