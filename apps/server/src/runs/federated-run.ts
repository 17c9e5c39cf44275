import { EventEmitter } from 'node:events';
import type { ClientHello, ClientReady, ImageShard, RoundMetricsRow, RunConfig, RunState, ServerError, UpdateAck, Welcome } from '@clipfed/protocol';
import type { WeightSet } from '@clipfed/fl';
import { aggregationRuleFor } from './aggregation/registry';
import type { ClientChannel } from './client-channel';
import type { Evaluation } from './evaluator';
import { closeRound, keepRoundRecord } from './round-closing';
import { RoundLifecycle, type OpenRound } from './round-lifecycle';
import { logRoundEvaluated, metricsRow, type EvaluatedRound } from './round-metrics-row';
import { readRunCheckpoint, restoreMetricsRows, writeRunCheckpoint } from './run-checkpoint';
import { helloRefusal, RunSessions, welcomeFor } from './run-sessions';
import type { RoundRecord, RunDeps, RunStatus } from './run-types';
import { waitingFor } from './run-waiting';
import { publicClientSummary, publicMetricsRow, samplingIsSecret } from './public-view';
import type { RunTask } from './run-task';
import { strategyFor } from './strategies/registry';
import type { Strategy } from './strategies/strategy';
import { UploadIntake, type UploadMessage } from './upload-intake';

export { RunError, type RoundRecord, type RunDeps, type RunStatus } from './run-types';

/**
 * One federated run: admits clients, samples each round, validates and folds uploads into a streaming sum,
 * closes the round when every selected client reported or the deadline passed, then aggregates, evaluates,
 * checkpoints and announces. Transport-agnostic: it talks to clients through ClientChannel.
 *
 * The coordinator of: the clients' sessions (run-sessions.ts), the round lifecycle (round-lifecycle.ts), the
 * intake of uploads (upload-intake.ts), closing a round (round-closing.ts), its metrics row (round-metrics-row.ts)
 * and the checkpoint (run-checkpoint.ts).
 */
export class FederatedRun extends EventEmitter {
  readonly id: string;
  readonly config: RunConfig;
  readonly task: RunTask;
  status: RunStatus = 'waiting';
  /** The last completed round (0 = none yet). */
  round = 0;
  /** The algorithm: what a round sends, how uploads become the next model, its server step and its checkpoint state. */
  readonly strategy: Strategy;
  zeroShot: Evaluation;
  readonly metrics: RoundMetricsRow[] = [];
  readonly records = new Map<number, RoundRecord>();
  pauseReason: string | undefined;
  private readonly sessions: RunSessions;
  private readonly rounds: RoundLifecycle;
  private readonly intake: UploadIntake;
  /**
   * True after an error paused the run (a failed write: full disk, permissions); resume() then writes the whole
   * run folder again before any new round, so nothing the failed write should have kept is lost.
   */
  private faulted = false;

  constructor(private readonly deps: RunDeps) {
    super();
    this.id = deps.id;
    this.config = deps.config;
    this.task = deps.task;
    this.zeroShot = deps.evaluator.evaluateZeroShot();
    this.strategy = strategyFor(deps.config).create({
      runId: deps.id,
      config: deps.config,
      task: deps.task,
      embedDim: deps.embedDim,
      evaluator: deps.evaluator,
      rule: aggregationRuleFor(deps.config),
      log: deps.log,
      tfBackend: deps.tfBackend ?? 'unknown',
    });
    this.sessions = new RunSessions(this.id, this.task, this.config);
    this.intake = new UploadIntake(this, deps.recordUploads);
    this.rounds = new RoundLifecycle({
      run: this,
      sessions: this.sessions,
      log: deps.log,
      emitState: (message) => this.emitState(message),
      pause: (reason) => this.pause(reason),
      onFault: (e, what) => this.onFault(e, what),
      completeRound: (open) => this.completeRound(open),
    });
  }

  /** The global model (what the run reports, serves and measures). */
  get global(): WeightSet {
    return this.strategy.global;
  }

  /** Evaluates the initial model and records round 0, so every curve starts at the same point. */
  async start(): Promise<void> {
    const initial = await this.strategy.evaluateInitial();
    await this.recordRound({ round: 0, evaluation: initial, participants: [], extra: {} });
    await this.saveCheckpoint();
    if (!this.strategy.trainsRounds) await this.finish(`${this.config.algorithm} needs no training rounds`);
  }

  get connectedCount(): number {
    return this.sessions.connectedCount;
  }

  state(message?: string): RunState {
    const last = this.metrics.at(-1);
    return {
      runId: this.id,
      status: this.status,
      round: this.rounds.open?.round ?? this.round,
      totalRounds: this.config.rounds,
      connectedClients: this.connectedCount,
      ...waitingFor(this.status, this.rounds.inProgress, this.sessions.readyClients().length, this.config.minClients),
      lastMetrics: last
        ? {
            round: last.round,
            accuracy: last.accuracy,
            zeroShotAccuracy: this.zeroShot.accuracy,
            ...(samplingIsSecret(this.config) ? {} : { participantCount: last.participants.length }),
            ...(last.balancedHead ? { balancedAccuracy: last.balancedHead.accuracy } : {}),
          }
        : undefined,
      // A paused run keeps saying why, whatever change is announced next.
      message: message ?? (this.status === 'paused' && this.pauseReason ? `paused: ${this.pauseReason}` : undefined),
    };
  }

  /** The clients as the public sees them (public-view.ts); `everything` is for the operator. */
  clientSummaries(everything = false) {
    const all = this.sessions.summaries();
    return everything || !samplingIsSecret(this.config) ? all : all.map(publicClientSummary);
  }

  /** The metrics rows as the public sees them (public-view.ts); `this.metrics` holds them whole. */
  publicMetrics(): RoundMetricsRow[] {
    return samplingIsSecret(this.config) ? this.metrics.map(publicMetricsRow) : this.metrics;
  }

  join(channel: ClientChannel, hello: ClientHello): Welcome {
    const refused = helloRefusal(hello, this.id, this.status);
    if (refused) return refused;
    // A socket holds one session: a second hello on the same channel replaces the first instead of leaving a ghost.
    for (const other of this.sessions.all()) if (other.channel === channel) this.leave(other.clientId);
    this.sessions.forgetExpired();
    const { session, resumeSecret } = this.sessions.admit(channel, hello);
    const shard = this.task.shards[session.shardIndex];
    this.deps.log.info({ runId: this.id, clientId: session.clientId, shard: shard.label, ...hello.capabilities }, 'client joined');
    this.emitState();
    return welcomeFor(this, this.deps, session, resumeSecret);
  }

  /** The client's shard (cut to `maxImagesPerClient`), for the client it was assigned to and the key of its welcome. */
  shardFor(clientId: string, key: string | undefined): ImageShard | undefined {
    return this.sessions.shardFor(clientId, key);
  }

  markReady(clientId: string, ready: ClientReady): void {
    const c = this.sessions.require(clientId);
    c.ready = true;
    c.stage = 'ready';
    c.numSamples = ready.numSamples;
    c.lastSeen = Date.now();
    this.deps.log.info({ runId: this.id, clientId, encodeMs: Math.round(ready.encodeMs), images: ready.imagesEncoded }, 'client ready');
    this.emitState();
    this.rounds.maybeStart();
  }

  noteProgress(clientId: string, stage: string): void {
    const c = this.sessions.get(clientId);
    if (c) {
      c.stage = stage;
      c.lastSeen = Date.now();
    }
  }

  leave(clientId: string): void {
    const c = this.sessions.get(clientId);
    if (!c) return;
    this.sessions.disconnect(c);
    this.deps.log.info({ runId: this.id, clientId }, 'client left');
    this.rounds.clientLeft(clientId);
    this.emitState();
  }

  receiveUpdate(clientId: string, update: UploadMessage): UpdateAck {
    const c = this.sessions.get(clientId);
    const refuse = (code: ServerError['code'], reason: string): UpdateAck => {
      this.deps.log.warn({ runId: this.id, clientId, code, reason }, 'update refused');
      this.emit('refusal', { clientId, code, reason });
      return { accepted: false, code, reason };
    };
    if (!c) return refuse('not-joined', 'this client has not joined the run');
    c.lastSeen = Date.now();
    const open = this.rounds.open;
    const checked = this.intake.check(c, open, update);
    if ('code' in checked) return refuse(checked.code, checked.reason);
    this.intake.accept(open!, checked, update);
    c.roundsContributed++;
    c.stage = 'uploaded';
    this.emit('update', { clientId, round: open!.round });
    this.emitState();
    this.rounds.maybeClose();
    return { accepted: true };
  }

  /** Stops starting rounds (an open round is abandoned, its updates never count) until resume(). */
  pause(reason: string): void {
    if (this.status !== 'running' && this.status !== 'waiting') return;
    this.rounds.abandon();
    this.status = 'paused';
    this.pauseReason = reason;
    this.deps.log.warn({ runId: this.id, reason }, 'run paused');
    this.persist();
    this.emitState(`paused: ${reason}`);
  }

  resume(): void {
    if (this.status !== 'paused') return;
    if (this.faulted) return void this.resumeAfterFault();
    this.status = this.round > 0 ? 'running' : 'waiting';
    this.pauseReason = undefined;
    if (this.round >= this.config.rounds) {
      // Paused after its last round was recorded (a failed write): nothing is left to train, so resuming finishes it.
      this.finish('all rounds done').catch((e: unknown) => this.onFault(e, 'writing the checkpoint failed'));
      return;
    }
    this.persist();
    this.emitState('resumed');
    this.rounds.maybeStart();
  }

  /** One run's error pauses that run alone, with the reason shown to the operator and the tabs; never the process. */
  private onFault(e: unknown, what: string): void {
    const reason = `${what}: ${e instanceof Error ? e.message : String(e)}`;
    this.faulted = true;
    this.deps.log.warn({ runId: this.id, error: reason }, 'run stopped making progress');
    if (this.status === 'running' || this.status === 'waiting') this.pause(`${reason}; resume once it is fixed`);
  }

  /** Saves the checkpoint without waiting; a failure pauses the run instead of becoming an unhandled rejection. */
  private persist(): void {
    this.saveCheckpoint().catch((e: unknown) => this.onFault(e, 'writing the checkpoint failed'));
  }

  private async resumeAfterFault(): Promise<void> {
    try {
      await this.deps.store.rewriteMetrics(this.metrics);
    } catch (e) {
      this.pauseReason = `writing the run folder still fails: ${e instanceof Error ? e.message : String(e)}`;
      this.deps.log.warn({ runId: this.id, error: this.pauseReason }, 'run not resumed');
      this.emitState(`paused: ${this.pauseReason}`);
      return;
    }
    this.faulted = false;
    this.resume();
  }

  /** A round that reached quorum: the next model, its metrics row, then the checkpoint (or the end of the run). */
  private async completeRound(open: OpenRound): Promise<void> {
    const { updates, evaluation, extra } = await closeRound(this.strategy, this.config, open);
    if (this.deps.recordUploads) keepRoundRecord(this.records, open.round, this.config.aggregation, updates, this.global);
    this.round = open.round;
    this.rounds.completed();
    await this.recordRound({ round: open.round, evaluation, participants: updates.map((u) => u.clientId), extra });
    for (const u of updates) {
      const c = this.sessions.get(u.clientId);
      if (c && c.stage === 'uploaded') c.stage = 'ready';
    }
    if (this.round >= this.config.rounds) await this.finish('all rounds done');
    else {
      await this.saveCheckpoint();
      this.emitState();
    }
  }

  private async recordRound(r: EvaluatedRound): Promise<void> {
    const row = metricsRow(this.id, this.zeroShot, r);
    this.metrics.push(row);
    await this.deps.store.appendMetrics(row);
    this.emit('metrics', row);
    logRoundEvaluated(this.deps.log, this.id, this.zeroShot, r);
  }

  private async saveCheckpoint(): Promise<void> {
    const meta = { runId: this.id, round: this.round, status: this.status, pauseReason: this.pauseReason, ...this.sessions.checkpoint() };
    await writeRunCheckpoint(this.deps.store, this.strategy, meta);
  }

  /** Restores a run from its folder: the checkpoint wins, metrics rows past it (a round that never completed) are dropped. */
  async restore(): Promise<boolean> {
    const meta = await readRunCheckpoint(this.deps.store, this.strategy, this.id);
    if (!meta) return false;
    this.round = meta.round;
    this.status = meta.status === 'running' || meta.status === 'waiting' ? (meta.round > 0 ? 'running' : 'waiting') : meta.status;
    this.pauseReason = meta.pauseReason;
    this.sessions.restore(meta);
    this.metrics.push(...(await restoreMetricsRows(this.deps.store, this.deps.log, this.id, this.round)));
    this.deps.log.info({ runId: this.id, round: this.round, status: this.status }, 'run restored from checkpoint');
    return true;
  }

  private async finish(message: string): Promise<void> {
    const before = this.status;
    this.status = 'finished';
    try {
      await this.saveCheckpoint();
    } catch (e) {
      // Not finished until the folder says so: the caller's fault handler pauses the run, and resume finishes it.
      this.status = before;
      throw e;
    }
    this.emitState(message);
    this.emit('finished', this.state(message));
  }

  stop(reason: string): void {
    this.rounds.abandon();
    this.status = 'stopped';
    this.persist();
    this.emitState(reason);
  }

  /**
   * For a graceful server shutdown: abandons the open round (its updates never count) and tells the clients,
   * but keeps the persisted status, so the next start resumes from the last completed round.
   */
  suspendForShutdown(reason: string): void {
    this.rounds.abandon();
    this.emitState(reason);
  }

  private emitState(message?: string): void {
    const state = this.state(message);
    for (const c of this.sessions.all()) c.channel?.send('run:state', state);
    this.emit('state', state);
  }
}
