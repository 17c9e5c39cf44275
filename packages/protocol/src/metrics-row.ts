/**
 * One line of a run's `metrics.jsonl`: what the server records after every round (round 0 is the starting model),
 * what `GET /api/runs/:runId/metrics` returns, what the dashboard draws and the reproduction suite reads.
 * JSON turns NaN (a task with no held-out set) into null. Type aliases, not interfaces, so a row is also a plain
 * Record<string, unknown> for the JSON and CSV writers.
 */

/** Many / medium / few-shot accuracy (null for a group with no class). */
export type ShotAccuracy = {
  many: number | null;
  medium: number | null;
  few: number | null;
};

/** One prediction head's accuracy over the evaluation sets. */
export type HeadAccuracy = {
  /** Mean over the evaluation sets: each training style's test split and the held-out style (FedCLIP's AVG). */
  accuracy: number;
  /** Mean over the held-out sets (NaN when the task has none). */
  heldOutAccuracy: number;
  perSet: Record<string, number>;
  /**
   * Personalisation as FedCLIP reports it: the mean over the clients' own test splits (each shard's test data),
   * measured with the global model; absent when no evaluation set belongs to a shard.
   */
  personalAccuracy?: number;
  /** Long-tailed tasks: grouped accuracy on the held-out sets, by each class's training count. */
  shots?: ShotAccuracy;
};

/** CLIP2FL / CReFF's server step of one round. */
export type ServerStepStats = {
  /** The tfjs backend the feature-bank update ran on. */
  backend: string;
  matchedClasses: number[];
  clientsWithGradients: number;
  matchSteps: number;
  matchLoss: number;
  pclLoss: number;
  /**
   * How far the federated feature bank moved in this step: the root mean square, over its C·M
   * features, of each feature's L2 displacement (0 when nothing was matched and there is no PCL).
   */
  bankShift: number;
  retrainEpochs: number;
  retrainLoss: number;
  matchMs: number;
  retrainMs: number;
};

/** What a round's training adds to its row (round 0 has none of it). */
export type RoundTraffic = {
  numSamples: number;
  meanLoss: number;
  meanTrainAccuracy: number;
  meanTrainMs: number;
  /** Clients selected when the round started. */
  selected: number;
  /** 0 for the first try of a round, then one more per re-issue after a missed quorum. */
  attempt: number;
  bytesUp: number;
  bytesDown: number;
  roundMs: number;
  aggregateMs: number;
  evalMs: number;
};

/** What a strategy or its aggregation rule adds to a row. */
export type StrategyMetrics = {
  /** CLIP2FL / CReFF. */
  serverStep?: ServerStepStats;
  /** Client-level DP: the privacy spent so far at `dpDelta`. */
  dpEpsilon?: number;
  dpDelta?: number;
};

export type RoundMetricsRow = Partial<RoundTraffic> &
  StrategyMetrics & {
  runId: string;
  round: number;
  /** ISO 8601, server clock. */
  time: string;
  /** The text-prototype head (FedCLIP's prediction). */
  accuracy: number;
  heldOutAccuracy: number;
  perSet: Record<string, number>;
  zeroShotAccuracy: number;
  zeroShotHeldOutAccuracy: number;
  /** See HeadAccuracy.personalAccuracy; zero-shot's beside it. */
  personalAccuracy?: number;
  zeroShotPersonalAccuracy?: number;
  shots?: ShotAccuracy;
  zeroShotShots?: ShotAccuracy;
  /** CLIP2FL / CReFF: the re-trained balanced classifier R. */
  balancedHead?: HeadAccuracy;
  /** Clients whose updates made this round. */
  participants: string[];
};
