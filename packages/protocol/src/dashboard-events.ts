import type { RunConfig } from './run-config';
import type { Capabilities, RunState } from './schemas';

/**
 * What the read-only `/dashboard` socket.io namespace sends and accepts: the server and the operator page share
 * this one definition.
 */

/** One line of the run list. */
export interface RunListEntry {
  runId: string;
  name: string;
  /** 'unknown' for a damaged run folder, whose config may be what could not be read. */
  algorithm: RunConfig['algorithm'] | 'unknown';
  dataset: RunConfig['dataset'] | 'unknown';
  /** 'damaged': a run folder found at start that could not be restored (see `problem`). */
  status: RunState['status'] | 'damaged';
  /** What is wrong with a damaged run folder: the file and the problem. */
  problem?: string;
  round: number;
  totalRounds: number;
  connectedClients: number;
  minClients: number;
  lastAccuracy?: number;
  zeroShotAccuracy?: number;
}

/** A volunteer (or simulated client) as the operator sees it. */
export interface ClientSummary {
  clientId: string;
  connected: boolean;
  ready: boolean;
  /** Server-side stage ('joining', 'ready', 'training', 'uploaded', 'disconnected') or the client's last progress stage. */
  stage: string;
  shard?: string;
  numSamples: number;
  capabilities: Capabilities;
  clientKind: 'browser' | 'node';
  roundsContributed: number;
  /** Server clock, ms since the epoch; 0 when the client was restored from a checkpoint and has not come back. */
  lastSeen: number;
}

/** The open round: who was asked, who has reported, when it closes. */
export interface RoundProgress {
  round: number;
  selected: string[];
  reported: string[];
  /** Server clock, ms since the epoch; null when the dashboard started watching in the middle of the round. */
  startedAt: number | null;
  deadlineAt: number | null;
}

/**
 * One row of metrics.jsonl as the page reads it: a RoundMetricsRow, read field by field with checks, since a run
 * folder written by an older server may lack fields.
 */
export type MetricsRow = Record<string, unknown> & { round: number };

export interface RunSnapshot {
  state: RunState;
  config: RunConfig;
  classNames: string[];
  clients: ClientSummary[];
  metrics: MetricsRow[];
  progress: RoundProgress | null;
  /** Server clock when the snapshot was taken, so the page can correct its countdowns for clock skew. */
  serverNow: number;
}

export interface Refusal {
  clientId: string;
  code: string;
  reason: string;
  at: number;
}

export type WatchReply = { ok: true; snapshot: RunSnapshot } | { ok: false; message: string };

export interface DashboardServerEvents {
  runs: (runs: RunListEntry[]) => void;
  'run:state': (state: RunState) => void;
  'run:metrics': (message: { runId: string; row: MetricsRow }) => void;
  'run:clients': (message: { runId: string; clients: ClientSummary[]; serverNow: number }) => void;
  'run:progress': (message: { runId: string; progress: RoundProgress | null; serverNow: number }) => void;
  'run:refusal': (message: { runId: string; refusal: Refusal }) => void;
}

export interface DashboardClientEvents {
  /** Start receiving one run's live events; the reply carries everything needed to draw it from scratch. */
  watch: (runId: string, ack: (reply: WatchReply) => void) => void;
  unwatch: (runId: string) => void;
}
