import type { RunConfig, RunState, ServerError } from '@clipfed/protocol';
import type { WeightSet } from '@clipfed/fl';
import type { HeldOutEvaluator } from './evaluator';
import type { RunStore } from './run-store';
import type { RunTask } from './run-task';
import type { RunLog } from './strategies/strategy';

export type RunStatus = RunState['status'];

export interface RoundRecord {
  round: number;
  mode: RunConfig['aggregation'];
  uploads: { clientId: string; numSamples: number; weights: WeightSet }[];
  global: WeightSet;
}

export interface RunDeps {
  id: string;
  config: RunConfig;
  task: RunTask;
  embedDim: number;
  evaluator: HeldOutEvaluator;
  store: RunStore;
  log: RunLog;
  /** Keep every upload of the last few rounds in memory so tests and auditors can check the aggregate. */
  recordUploads?: boolean;
  modelUrl: string;
  maxUpdateBytes: number;
  /** The tfjs backend the server computes on, recorded with each CLIP2FL server step. */
  tfBackend?: string;
}

export class RunError extends Error {
  constructor(
    readonly code: ServerError['code'],
    message: string,
  ) {
    super(message);
  }
}
