import type { ClassGradient, StreamingWeightedSum, WeightSet } from '@clipfed/fl';
import type { RoundStart, RunConfig, StrategyMetrics, WireTensor } from '@clipfed/protocol';
import type { AggregationRule, RuleInput } from '../aggregation/aggregation-rule';
import type { Evaluation, HeldOutEvaluator } from '../evaluator';
import type { RunTask } from '../run-task';

export interface RunLog {
  info: (o: object | string, msg?: string) => void;
  warn: (o: object | string, msg?: string) => void;
}

/** What a strategy is built from: the run's settings, its data and evaluator, and its aggregation rule. */
export interface StrategyContext {
  runId: string;
  config: RunConfig;
  task: RunTask;
  embedDim: number;
  evaluator: HeldOutEvaluator;
  /** The run's aggregation rule, already wrapped in client-level DP when the run asks for it. */
  rule: AggregationRule;
  log: RunLog;
  /** The tfjs backend the server computes on, recorded with server steps. */
  tfBackend: string;
}

/** The parts of an upload beyond the model weights, as a strategy validated them. */
export interface UploadExtras {
  /** CLIP2FL / CReFF: the client's per-class gradients of the balanced classifier R. */
  classGradients?: Map<number, ClassGradient>;
}

/** One accepted upload as a strategy aggregates it. */
export interface StrategyUpdate extends RuleInput, UploadExtras {
  clientId: string;
  shardIndex: number;
}

/** A round that reached quorum, handed to the strategy to turn into the next model. */
export interface ClosedRound {
  round: number;
  updates: readonly StrategyUpdate[];
  /** How many ready clients the round's participants were drawn from. */
  eligible: number;
  /** The round's streaming sum, when the strategy folds uploads as they arrive (`streamingWeight`). */
  sum: StreamingWeightedSum | null;
}

/** What a round message carries besides the weights and the training settings. */
export interface RoundExtras {
  clip2fl?: Omit<NonNullable<RoundStart['clip2fl']>, 'classifier'> & { classifier: WireTensor[] };
}

/**
 * A federated algorithm (Flower's `Strategy`): what a round sends, which uploads it accepts, how they become
 * the next model, its server step, what it adds to a metrics row and what it checkpoints. The run engine
 * drives rounds (sampling, deadlines, quorum, retries, persistence) and names no algorithm.
 */
export interface Strategy {
  /** False for a baseline that trains nothing: the run records round 0 and finishes. */
  readonly trainsRounds: boolean;
  /** The global model: the one the run reports, serves for download and measures. */
  readonly global: WeightSet;
  /** Round 0 of the curve. */
  evaluateInitial(): Promise<Evaluation>;
  /** The current model on the run's evaluation sets. */
  evaluate(): Promise<Evaluation>;
  /** What a client holding this shard trains from this round; its upload is checked against it. */
  weightsFor(shardIndex: number): WeightSet;
  roundExtras(): RoundExtras;
  /** Validates an upload's parts beyond its weights: what to keep, or the reason to refuse it. */
  readUpload(upload: { classGradients?: WireTensor[] }): UploadExtras | string;
  /** The weight of an update in the round's streaming sum; undefined when the strategy needs every update at close. */
  streamingWeight(numSamples: number): number | undefined;
  /** What is kept of an accepted update's weights (the rule's clipping, for example). */
  admit(weights: WeightSet, reference: WeightSet): WeightSet;
  /** Turns a closed round into the next model; returns what it adds to the metrics row. */
  aggregate(round: ClosedRound): StrategyMetrics;
  /** Server-side training after aggregation (CLIP2FL's feature matching and re-training); returns its metrics. */
  serverStep?(round: ClosedRound): Promise<StrategyMetrics>;
  /** Everything beyond the run engine's own state that a restart needs. */
  checkpointTensors(): WeightSet;
  /** Takes back what `checkpointTensors` wrote; throws, naming the problem, when it does not fit this run. */
  restore(tensors: WeightSet): void;
}

/** One registry entry: an algorithm a run can name in `algorithm`. */
export interface StrategyDefinition {
  id: RunConfig['algorithm'];
  /** One line for `--help` and the docs. */
  summary: string;
  /** Reshapes the dataset's task where the algorithm needs it (the centralised bound merges every shard). */
  prepareTask?(task: RunTask): RunTask;
  create(context: StrategyContext): Strategy;
}
