import type { Namespace, Server } from 'socket.io';
import type { RoundMetricsRow, RunState } from '@clipfed/protocol';
import type { FederatedRun } from '../runs/federated-run';
import type { DamagedRun, RunRegistry } from '../runs/run-registry';
import type {
  ClientSummary,
  DashboardClientEvents,
  DashboardServerEvents,
  RunListEntry,
  RunSnapshot,
  WatchReply,
} from '@clipfed/protocol';
import { RoundProgressTracker } from './dashboard-round-progress';
import { MessageRateLimiter } from './message-rate-limiter';
import { publicMetricsRow, samplingIsSecret } from '../runs/public-view';

export interface DashboardNamespaceOptions {
  /** How often to look for new runs and for client changes that raise no run event (stage, last seen). */
  pollMs?: number;
  /** Longest wait before a run's state, progress and client list reach the pages (bursts are coalesced). */
  flushMs?: number;
  /** Requests (watch, unwatch) one dashboard socket may make per second, with bursts of twice that (default 5). */
  watchesPerSecond?: number;
  /** Runs one dashboard socket may watch at once. */
  maxWatchedRuns?: number;
  log: { warn: (o: object | string, msg?: string) => void };
}

export interface DashboardNamespace {
  close(): void;
}

type DashboardNsp = Namespace<DashboardClientEvents, DashboardServerEvents>;

/** Run ids come from untrusted sockets: anything but a short string is ignored. */
const isRunId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;
const room = (runId: string) => `run:${runId}`;

export function runListEntry(run: FederatedRun): RunListEntry {
  const state = run.state();
  return {
    runId: run.id,
    name: run.config.name,
    algorithm: run.config.algorithm,
    dataset: run.config.dataset,
    status: state.status,
    round: state.round,
    totalRounds: state.totalRounds,
    connectedClients: state.connectedClients,
    minClients: run.config.minClients,
    lastAccuracy: state.lastMetrics?.accuracy,
    zeroShotAccuracy: run.zeroShot.accuracy,
  };
}

/** A run folder that could not be restored stays in the list, marked damaged, instead of vanishing. */
function damagedListEntry(d: DamagedRun): RunListEntry {
  return {
    runId: d.runId,
    name: 'damaged run folder',
    algorithm: 'unknown',
    dataset: 'unknown',
    status: 'damaged',
    round: 0,
    totalRounds: 0,
    connectedClients: 0,
    minClients: 0,
    problem: d.problem,
  };
}

const runList = (registry: RunRegistry): RunListEntry[] => [...registry.list().map(runListEntry), ...registry.damaged().map(damagedListEntry)];

/** The round in progress: state() reports the open round, which is always one past the last completed one. */
function openRound(run: FederatedRun, state: RunState): number | null {
  return state.status === 'running' && state.round > run.round ? state.round : null;
}

/**
 * Per-run bookkeeping: event listeners, round progress, and what was last pushed (to send only changes).
 * A round with fifty clients raises a hundred state and update events within moments; the tracker sees each
 * one, but the pages get the latest state, progress and client list at most once per flush interval, except
 * when a round opens or closes.
 */
class WatchedRun {
  readonly tracker = new RoundProgressTracker();
  private lastClientsJson = '';
  private latestState: RunState | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly detach: () => void;

  constructor(
    readonly run: FederatedRun,
    private readonly nsp: DashboardNsp,
    private readonly flushMs: number,
    private readonly onListChange: () => void,
  ) {
    const onState = (state: RunState) => {
      const roundBefore = this.tracker.progress()?.round ?? null;
      this.observe(state);
      this.latestState = state;
      // A round opening or closing goes out at once (twice a round at most), so no round passes unseen.
      if ((this.tracker.progress()?.round ?? null) !== roundBefore) this.flushNow();
      else this.scheduleFlush();
      this.onListChange();
    };
    // Rows are rare (one per round) and each one matters: sent at once, never coalesced.
    // A run whose draw is secret (public-view.ts) shows the page no ids of who took part, uploaded or was refused.
    const secret = samplingIsSecret(run.config);
    const onMetrics = (row: RoundMetricsRow) => this.nsp.to(room(run.id)).emit('run:metrics', { runId: run.id, row: secret ? publicMetricsRow(row) : row });
    const onUpdate = (u: { clientId: string; round: number }) => {
      if (!secret && this.tracker.reported(u.clientId, u.round)) this.scheduleFlush();
    };
    const onRefusal = (r: { clientId: string; code: string; reason: string }) =>
      this.nsp.to(room(run.id)).emit('run:refusal', { runId: run.id, refusal: { ...r, clientId: secret ? 'a client' : r.clientId, at: Date.now() } });
    run.on('state', onState);
    run.on('metrics', onMetrics);
    run.on('update', onUpdate);
    run.on('refusal', onRefusal);
    this.detach = () => {
      run.off('state', onState);
      run.off('metrics', onMetrics);
      run.off('update', onUpdate);
      run.off('refusal', onRefusal);
    };
    this.observe(run.state());
  }

  private scheduleFlush() {
    if (!this.hasWatchers) return;
    this.flushTimer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flushNow() {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flush();
  }

  private flush() {
    this.flushTimer = null;
    if (!this.hasWatchers) return;
    // Progress before state: a page that drew the new state with the old progress would, for a moment, call
    // an opening round "done".
    this.pushProgress();
    if (this.latestState) this.nsp.to(room(this.run.id)).emit('run:state', this.latestState);
    this.latestState = null;
    this.pushClients();
  }

  private observe(state: RunState) {
    this.tracker.observe({
      openRound: openRound(this.run, state),
      clients: this.run.clientSummaries(),
      roundDeadlineMs: this.run.config.roundDeadlineMs,
      now: Date.now(),
    });
  }

  get hasWatchers(): boolean {
    return (this.nsp.adapter.rooms.get(room(this.run.id))?.size ?? 0) > 0;
  }

  pushProgress() {
    if (!this.hasWatchers) return;
    this.nsp.to(room(this.run.id)).emit('run:progress', { runId: this.run.id, progress: this.tracker.progress(), serverNow: Date.now() });
  }

  /** Sends the client list when it changed since the last push. */
  pushClients() {
    if (!this.hasWatchers) return;
    const clients: ClientSummary[] = this.run.clientSummaries();
    const json = JSON.stringify(clients);
    if (json === this.lastClientsJson) return;
    this.lastClientsJson = json;
    this.nsp.to(room(this.run.id)).emit('run:clients', { runId: this.run.id, clients, serverNow: Date.now() });
  }

  snapshot(): RunSnapshot {
    return {
      state: this.run.state(),
      config: this.run.config,
      classNames: this.run.task.classNames,
      clients: this.run.clientSummaries(),
      metrics: this.run.publicMetrics(),
      progress: this.tracker.progress(),
      serverNow: Date.now(),
    };
  }

  close() {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.detach();
  }
}

/**
 * The read-only `/dashboard` namespace: pushes the run list, and for each run a page watches, its state, metrics
 * rows, client list and round progress. It holds no authority (pause, resume and stop go through the HTTP API
 * with the operator token) and shows only what the public GET API already shows.
 */
export function attachDashboardNamespace(io: Server, registry: RunRegistry, opts: DashboardNamespaceOptions): DashboardNamespace {
  const nsp = io.of('/dashboard') as unknown as DashboardNsp;
  const watched = new Map<string, WatchedRun>();
  const maxWatched = opts.maxWatchedRuns ?? 8;
  let lastListJson = '';
  let listTimer: NodeJS.Timeout | null = null;

  const pushList = () => {
    listTimer = null;
    if (nsp.sockets.size === 0) return;
    const list = runList(registry);
    const json = JSON.stringify(list);
    if (json === lastListJson) return;
    lastListJson = json;
    nsp.emit('runs', list);
  };
  // Coalesces bursts (thirty tabs joining at once) into one run-list push.
  const scheduleList = () => {
    listTimer ??= setTimeout(pushList, 200);
  };

  const track = (run: FederatedRun): WatchedRun => {
    let w = watched.get(run.id);
    if (!w) watched.set(run.id, (w = new WatchedRun(run, nsp, opts.flushMs ?? 250, scheduleList)));
    return w;
  };

  // The registry raises no event when a run is created, so new runs are picked up by polling its (in-memory) list.
  const poll = setInterval(() => {
    for (const run of registry.list()) track(run);
    if (nsp.sockets.size === 0) return;
    pushList();
    for (const w of watched.values()) w.pushClients();
  }, opts.pollMs ?? 1000);
  poll.unref();
  for (const run of registry.list()) track(run);

  nsp.on('connection', (socket) => {
    // A watch answers with a whole snapshot (metrics, clients): without a limit one socket could ask thousands a second.
    const limiter = new MessageRateLimiter(opts.watchesPerSecond ?? 5, 2 * (opts.watchesPerSecond ?? 5));
    socket.use((packet, next) => {
      if (limiter.tryTake()) return next();
      const ack = packet.at(-1);
      if (typeof ack === 'function') ack({ ok: false, message: `rate-limited: too many requests; "${String(packet[0])}" dropped` });
    });
    socket.emit('runs', runList(registry));
    socket.on('watch', (raw, ack) => {
      const reply = typeof ack === 'function' ? ack : (_: WatchReply) => undefined;
      if (!isRunId(raw)) return reply({ ok: false, message: 'watch needs a run id (a string of at most 64 characters)' });
      const run = registry.get(raw);
      if (!run) return reply({ ok: false, message: `no run ${raw}` });
      const rooms = [...socket.rooms].filter((r) => r.startsWith('run:'));
      if (rooms.length >= maxWatched && !socket.rooms.has(room(run.id))) {
        opts.log.warn({ socket: socket.id }, 'dashboard watches too many runs');
        return reply({ ok: false, message: `a dashboard can watch at most ${maxWatched} runs at once; unwatch one first` });
      }
      void socket.join(room(run.id));
      reply({ ok: true, snapshot: track(run).snapshot() });
    });
    socket.on('unwatch', (raw) => {
      if (isRunId(raw)) void socket.leave(room(raw));
    });
  });

  return {
    close() {
      clearInterval(poll);
      if (listTimer) clearTimeout(listTimer);
      for (const w of watched.values()) w.close();
      watched.clear();
    },
  };
}
