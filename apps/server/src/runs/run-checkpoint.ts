import type { RoundMetricsRow } from '@clipfed/protocol';
import { rowsThroughRound, type RunStore } from './run-store';
import type { SessionsCheckpoint } from './run-sessions';
import type { RunStatus } from './run-types';
import type { RunLog, Strategy } from './strategies/strategy';

/** The run engine's own state in a checkpoint, beside the strategy's tensors. */
export type RunCheckpointMeta = { runId: string; round: number; status: RunStatus; pauseReason: string | undefined } & SessionsCheckpoint;

/** What a checkpoint read back holds (older checkpoints lack the sessions' parts). */
export type RestoredMeta = { round: number; status: RunStatus; pauseReason?: string } & Partial<SessionsCheckpoint>;

/**
 * Everything needed to resume after a crash, written atomically after every round: the global adapter, the
 * last completed round, the status, and which client holds which shard (so reconnecting tabs keep theirs).
 */
export async function writeRunCheckpoint(store: RunStore, strategy: Strategy, meta: RunCheckpointMeta): Promise<void> {
  await store.writeCheckpoint(strategy.checkpointTensors(), meta);
}

/** Reads a run's checkpoint and hands the strategy its tensors; null when the run folder has none. */
export async function readRunCheckpoint(store: RunStore, strategy: Strategy, runId: string): Promise<RestoredMeta | null> {
  const checkpoint = await store.readCheckpoint();
  if (!checkpoint) return null;
  const meta = checkpoint.meta as RestoredMeta;
  try {
    strategy.restore(checkpoint.tensors);
  } catch (e) {
    throw new Error(`checkpoint of run ${runId}: ${(e as Error).message}`);
  }
  return meta;
}

/** The run's metrics rows through its checkpointed round; rows past it (a round that never completed) are dropped. */
export async function restoreMetricsRows(store: RunStore, log: RunLog, runId: string, round: number): Promise<RoundMetricsRow[]> {
  const read = await store.readMetrics();
  if (read.droppedTornLine !== undefined) log.warn({ runId, line: read.droppedTornLine.slice(0, 200) }, 'metrics.jsonl ended in a line cut short (a crash or a full disk mid-append); dropped it');
  // The run's own rows, written by recordRound (rowsThroughRound has checked their rounds).
  const rows = rowsThroughRound(read.rows, round) as RoundMetricsRow[];
  await store.rewriteMetrics(rows);
  return rows;
}
