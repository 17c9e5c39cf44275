import { encodeTensors, wireByteLength, type RunConfig } from '@clipfed/protocol';
import { StreamingWeightedSum, type WeightSet } from '@clipfed/fl';
import { sampleClients } from './client-sampler';
import type { ClientSession, RunSessions } from './run-sessions';
import type { RunStatus } from './run-types';
import type { RunLog, Strategy, StrategyUpdate } from './strategies/strategy';

export interface AcceptedUpdate extends StrategyUpdate {
  loss: number;
  trainAccuracy: number;
  trainMs: number;
  /** Trained on the volunteer's own images: kept out of the streaming sum until its share of the round is known. */
  deferred?: boolean;
}

export interface OpenRound {
  round: number;
  /** Selected clients still connected; a client that leaves is removed and its partial work never counts. */
  selected: Set<string>;
  selectedAtStart: number;
  /** Ready clients the selection was drawn from. */
  eligible: number;
  attempt: number;
  accepted: Map<string, AcceptedUpdate>;
  sum: StreamingWeightedSum | null;
  startedAt: number;
  deadlineAt: number;
  timer: NodeJS.Timeout;
  bytesDown: number;
  bytesUp: number;
}

/** What the round lifecycle needs of its run. */
export interface RoundHost {
  /** The run's id, settings, algorithm, status and last completed round; a round that opens sets the status running. */
  run: { readonly id: string; readonly config: RunConfig; readonly strategy: Strategy; status: RunStatus; readonly round: number };
  sessions: RunSessions;
  log: RunLog;
  emitState(message?: string): void;
  pause(reason: string): void;
  onFault(e: unknown, what: string): void;
  /** Aggregates, evaluates, records and checkpoints a round that reached quorum. */
  completeRound(open: OpenRound): Promise<void>;
}

/**
 * The rounds of a run: selection among the ready clients, the round message, the deadline, quorum, re-issues of
 * a round that fell short, and closing one that made it (the run's `completeRound` does the rest).
 */
export class RoundLifecycle {
  /** The round in progress: selected, sent, collecting uploads. */
  open: OpenRound | null = null;
  /** True while a closed round is aggregated, run through the CLIP2FL step and evaluated: no new round starts. */
  private closing = false;
  /** Re-issues of the round after the run's last completed one that fell short of quorum (reset when a round completes). */
  private retriesOfNextRound = 0;
  /** One streaming sum for every round of the run, emptied at each round start (its memory stays warm). */
  private roundSum: StreamingWeightedSum | null = null;

  constructor(private readonly host: RoundHost) {}

  /** A round is open or being closed. */
  get inProgress(): boolean {
    return this.open !== null || this.closing;
  }

  /** A round completed: the next one starts its count of re-issues again. */
  completed(): void {
    this.retriesOfNextRound = 0;
  }

  /** Abandons the open round (its updates never count). */
  abandon(): void {
    if (this.open) clearTimeout(this.open.timer);
    this.open = null;
  }

  /** A client left: the open round no longer waits for it. */
  clientLeft(clientId: string): void {
    if (this.open?.selected.delete(clientId)) {
      // Its partial work never counts: the streaming sum only ever holds accepted, complete uploads.
      this.maybeClose();
    }
  }

  private reusedSum(): StreamingWeightedSum {
    this.roundSum ??= new StreamingWeightedSum();
    this.roundSum.reset();
    return this.roundSum;
  }

  maybeStart(): void {
    const { run } = this.host;
    if (this.open || this.closing || (run.status !== 'waiting' && run.status !== 'running')) return;
    if (run.round >= run.config.rounds) return;
    const ready = this.host.sessions.readyClients();
    if (ready.length < run.config.minClients) return;
    const round = run.round + 1;
    const attempt = this.retriesOfNextRound;
    this.start(round, sampleClients(ready, run.config, round * 101 + attempt), ready.length, attempt);
  }

  private start(round: number, selected: string[], eligible: number, attempt: number): void {
    const { run } = this.host;
    const { config, strategy } = run;
    run.status = 'running';
    // Encoded once per distinct model: every client shares the global one unless the strategy keeps one per shard.
    const encoded = new Map<WeightSet, ReturnType<typeof encodeTensors>>();
    const weightsFor = (c: ClientSession) => {
      const model = strategy.weightsFor(c.shardIndex);
      let w = encoded.get(model);
      if (!w) encoded.set(model, (w = encodeTensors(model, config.updateDtype)));
      return w;
    };
    const extras = strategy.roundExtras();
    const deadlineAt = Date.now() + config.roundDeadlineMs;
    const open: OpenRound = {
      round,
      selected: new Set(selected),
      selectedAtStart: selected.length,
      eligible,
      attempt,
      accepted: new Map(),
      // Streaming (O(P) memory) wherever the strategy allows it; median, trimmed mean and DP need all updates.
      sum: strategy.streamingWeight(1) !== undefined ? this.reusedSum() : null,
      startedAt: Date.now(),
      deadlineAt,
      timer: setTimeout(() => this.onDeadline(round), config.roundDeadlineMs),
      bytesDown: 0,
      bytesUp: 0,
    };
    this.open = open;
    const training = {
      localEpochs: config.localEpochs,
      batchSize: config.batchSize,
      learningRate: config.learningRate,
      weightDecay: config.weightDecay,
      objective: config.objective,
      seed: config.seed * 10_007 + round,
    };
    for (const id of selected) {
      const c = this.host.sessions.get(id)!;
      c.stage = 'training';
      const w = weightsFor(c);
      c.channel?.send('round:start', { runId: run.id, round, totalRounds: config.rounds, deadlineAt, training, weights: w, ...extras });
      open.bytesDown += wireByteLength(w) + (extras.clip2fl ? wireByteLength(extras.clip2fl.classifier) : 0);
    }
    this.host.log.info({ runId: run.id, round, selected }, 'round started');
    this.host.emitState();
    // Poisson sampling drew nobody: the round still releases the DP noise and counts, as the accountant assumes.
    if (selected.length === 0) void this.close();
  }

  private quorumReached(open: OpenRound): boolean {
    return open.accepted.size > 0 && open.accepted.size >= Math.ceil(this.host.run.config.minCompletionRate * open.selectedAtStart);
  }

  private onDeadline(round: number): void {
    const open = this.open;
    if (!open || open.round !== round) return;
    if (this.quorumReached(open)) void this.close();
    else this.reissue(open, `round ${round} had ${open.accepted.size} of ${open.selectedAtStart} updates at its deadline (quorum ${Math.ceil(this.host.run.config.minCompletionRate * open.selectedAtStart)})`);
  }

  /** Closes as soon as every selected client that is still connected has reported, if that makes quorum. */
  maybeClose(): void {
    const open = this.open;
    if (!open) return;
    const allIn = [...open.selected].every((id) => open.accepted.has(id));
    if (!allIn) return;
    if (this.quorumReached(open)) void this.close();
    else this.reissue(open, `round ${open.round} lost too many clients (${open.accepted.size} of ${open.selectedAtStart} updates)`);
  }

  /** Drops a round that fell short of quorum and runs it again with fresh sampling; after too many tries, pauses. */
  private reissue(open: OpenRound, why: string): void {
    const { config, id } = this.host.run;
    clearTimeout(open.timer);
    this.open = null;
    this.retriesOfNextRound = open.attempt + 1;
    if (this.retriesOfNextRound > config.maxRoundRetries) {
      this.retriesOfNextRound = 0;
      this.host.pause(`${why}; gave up after ${config.maxRoundRetries} retries`);
      return;
    }
    this.host.log.warn({ runId: id, round: open.round, attempt: this.retriesOfNextRound }, `${why}; re-issuing`);
    this.host.emitState(`${why}; re-issuing the round`);
    this.maybeStart();
    if (!this.open) this.host.emitState(`${why}; waiting for ${config.minClients} ready clients`);
  }

  private async close(): Promise<void> {
    this.closing = true;
    try {
      const open = this.open!;
      this.open = null;
      clearTimeout(open.timer);
      await this.host.completeRound(open);
    } catch (e) {
      this.host.onFault(e, 'closing the round failed');
    } finally {
      this.closing = false;
    }
    if (this.host.run.status === 'running') this.maybeStart();
  }
}
