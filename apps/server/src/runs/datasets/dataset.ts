import type { ProgressFn } from '@clipfed/data';
import type { RunConfig } from '@clipfed/protocol';
import type { Evaluation } from '../evaluator';
import type { RunTask } from '../run-task';

/** What a dataset may use while it builds a task: progress reporting and a per-server memo for raw data. */
export interface DatasetEnvironment {
  onProgress?: ProgressFn;
  /** Loads `key` once per server (e.g. Fashion-MNIST's 70,000 images); a failed load is tried again next time. */
  once<T>(key: string, load: () => Promise<T>): Promise<T>;
}

/**
 * A benchmark a run can name in `dataset`: how its settings become a task (client shards, evaluation sets, class
 * names, long-tail groups) and how a run on it is described to a person.
 */
export interface DatasetDefinition {
  id: RunConfig['dataset'];
  /** One line for `--help` and the docs. */
  summary: string;
  /** Runs with equal keys share one task (and its images): only the settings the task depends on. */
  taskKey(config: RunConfig): string;
  buildTask(config: RunConfig, env: DatasetEnvironment): Promise<RunTask>;
  /** The data settings in a few words, e.g. "held out: openmoji". */
  describeSettings(config: RunConfig): string;
  /** The zero-shot reference line, e.g. "zero-shot accuracy: 68.0% (held-out style 66.1%)". */
  describeZeroShot(zeroShot: Evaluation): string;
  /** Whether the held-out accuracy is a separate number worth printing beside the mean. */
  readonly reportsHeldOutSeparately: boolean;
}

export const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
