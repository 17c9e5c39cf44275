import { EventEmitter } from 'node:events';
import {
  decodeTensors,
  encodeTensors,
  PROTOCOL_VERSION,
  TensorDecodeError,
  wireByteLength,
  type ClientHello,
  type ImageShard,
  type ClientReady,
  type RoundMetricsRow,
  type RoundTraffic,
  type RunConfig,
  type StrategyMetrics,
  type RunState,
  type UpdateAck,
  type Welcome,
  type WireTensor,
  type ServerError,
} from '@clipfed/protocol';
import { SeededRandom, measureUpdate, StreamingWeightedSum, type WeightSet } from '@clipfed/fl';
import { aggregationRuleFor } from './aggregation/registry';
import type { ClientChannel } from './client-channel';
import { sampleClients } from './client-sampler';
import type { HeldOutEvaluator, Evaluation, HeadAccuracy } from './evaluator';
import { privacySpent } from './privacy-spent';
import { issueResumeSecret, issueShardKey, keyMatches, secretMatches } from './client-credentials';
import { expiredSessions } from './session-expiry';
import { admittedWeight, assignedShardSize, foldOwnImageUploads, ownImagesWeightCap, updateNormBound } from './update-admission';
import { waitingFor } from './run-waiting';
import { rowsThroughRound, type RunStore } from './run-store';
import { pixelFormatOf, selectImages, type RunTask } from './run-task';
import { strategyFor } from './strategies/registry';
import type { RunLog, Strategy, StrategyUpdate } from './strategies/strategy';

export type RunStatus = RunState['status'];

interface ClientSession {
  clientId: string;
  channel: ClientChannel | null;
  shardIndex: number;
  capabilities: ClientHello['capabilities'];
  clientKind: ClientHello['clientKind'];
  ready: boolean;
  numSamples: number;
  joinedAt: number;
  lastSeen: number;
  roundsContributed: number;
  stage: string;
  /** SHA-256 of the resume secret issued at hello ('' when none can resume it, e.g. restored from an older checkpoint). */
  secretDigest: string;
  /** The key in this client's shard link, new at every welcome. */
  shardKey: string;
}

interface AcceptedUpdate extends StrategyUpdate {
  loss: number;
  trainAccuracy: number;
  trainMs: number;
  /** Trained on the volunteer's own images: kept out of the streaming sum until its share of the round is known. */
  deferred?: boolean;
}

interface OpenRound {
  round: number;
  /** Selected clients still connected; a client that leaves is removed and its partial work never counts. */
  selected: Set<string>;
  selectedAtStart: number;
  attempt: number;
  accepted: Map<string, AcceptedUpdate>;
  sum: StreamingWeightedSum | null;
  startedAt: number;
  deadlineAt: number;
  timer: NodeJS.Timeout;
  bytesDown: number;
  bytesUp: number;
}

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

/**
 * One federated run: admits clients, samples each round, validates and folds uploads into a streaming sum,
 * closes the round when every selected client reported or the deadline passed, then aggregates, evaluates,
 * checkpoints and announces. Transport-agnostic: it talks to clients through ClientChannel.
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
  private readonly clients = new Map<string, ClientSession>();
  private open: OpenRound | null = null;
  /** One streaming sum for every round of the run, emptied at each round start (its memory stays warm). */
  private roundSum: StreamingWeightedSum | null = null;
  /** Where uploads for the streaming sum are decoded (see receiveUpdate). */
  private uploadBuffer: Float32Array[] | null = null;
  /** True while a closed round is aggregated, run through the CLIP2FL step and evaluated: no new round starts. */
  private closing = false;
  private nextClientNumber = 1;

  constructor(private readonly deps: RunDeps) {
    super();
    this.id = deps.id;
    this.config = deps.config;
    this.task = deps.task;
    this.zeroShot = deps.evaluator.evaluate(null);
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
    return [...this.clients.values()].filter((c) => c.channel).length;
  }

  state(message?: string): RunState {
    const last = this.metrics.at(-1);
    return {
      runId: this.id,
      status: this.status,
      round: this.open?.round ?? this.round,
      totalRounds: this.config.rounds,
      connectedClients: this.connectedCount,
      ...waitingFor(this.status, this.open !== null || this.closing, this.readyClients().length, this.config.minClients),
      lastMetrics: last
        ? {
            round: last.round,
            accuracy: last.accuracy,
            zeroShotAccuracy: this.zeroShot.accuracy,
            participantCount: last.participants.length,
            ...(last.balancedHead ? { balancedAccuracy: last.balancedHead.accuracy } : {}),
          }
        : undefined,
      // A paused run keeps saying why, whatever change is announced next.
      message: message ?? (this.status === 'paused' && this.pauseReason ? `paused: ${this.pauseReason}` : undefined),
    };
  }

  /** Drops sessions disconnected past the run's grace period (see session-expiry.ts). */
  private forgetExpiredSessions(): void {
    const sessions = [...this.clients.values()].map((c) => ({ clientId: c.clientId, connected: c.channel !== null, lastSeen: c.lastSeen }));
    for (const id of expiredSessions(sessions, Date.now(), this.config.sessionGraceMs)) this.clients.delete(id);
  }

  clientSummaries() {
    this.forgetExpiredSessions();
    return [...this.clients.values()].map((c) => ({
      clientId: c.clientId,
      connected: c.channel !== null,
      ready: c.ready,
      stage: c.stage,
      shard: this.task.shards[c.shardIndex]?.label,
      numSamples: c.numSamples,
      capabilities: c.capabilities,
      clientKind: c.clientKind,
      roundsContributed: c.roundsContributed,
      lastSeen: c.lastSeen,
    }));
  }

  join(channel: ClientChannel, hello: ClientHello): Welcome {
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      return { ok: false, code: 'protocol-version', message: `server speaks protocol ${PROTOCOL_VERSION}, client ${hello.protocolVersion}; reload the page` };
    }
    if (this.status === 'finished' || this.status === 'stopped') {
      return { ok: false, code: 'run-not-found', message: `run ${this.id} is ${this.status}` };
    }
    // A socket holds one session: a second hello on the same channel replaces the first instead of leaving a ghost.
    for (const other of this.clients.values()) if (other.channel === channel) this.leave(other.clientId);
    this.forgetExpiredSessions();
    let session = hello.resumeClientId ? this.clients.get(hello.resumeClientId) : undefined;
    // Resuming takes the secret issued with that id; a public id alone (or a live session) gets a new identity.
    if (session && (session.channel || !secretMatches(hello.resumeSecret, session.secretDigest))) session = undefined;
    let resumeSecret = hello.resumeSecret ?? '';
    if (!session) {
      const clientId = `c${this.nextClientNumber++}-${Math.random().toString(36).slice(2, 8)}`;
      const issued = issueResumeSecret();
      resumeSecret = issued.secret;
      session = {
        secretDigest: issued.digest,
        shardKey: '',
        clientId,
        channel: null,
        shardIndex: this.pickShard(),
        capabilities: hello.capabilities,
        clientKind: hello.clientKind,
        ready: false,
        numSamples: 0,
        joinedAt: Date.now(),
        lastSeen: Date.now(),
        roundsContributed: 0,
        stage: 'joining',
      };
      this.clients.set(clientId, session);
    }
    session.channel = channel;
    session.shardKey = issueShardKey();
    session.capabilities = hello.capabilities;
    session.lastSeen = Date.now();
    const shard = this.task.shards[session.shardIndex];
    this.deps.log.info({ runId: this.id, clientId: session.clientId, shard: shard.label, ...hello.capabilities }, 'client joined');
    this.emitState();
    return {
      ok: true,
      protocolVersion: PROTOCOL_VERSION,
      clientId: session.clientId,
      resumeSecret,
      runId: this.id,
      algorithm: this.config.algorithm,
      maxUpdateBytes: this.deps.maxUpdateBytes,
      task: {
        dataset: this.task.dataset,
        classNames: this.task.classNames,
        prompts: this.task.prompts,
        shardLabel: shard.label,
        shardUrl: `/api/runs/${this.id}/shards/${session.clientId}?key=${session.shardKey}`,
        modelUrl: this.deps.modelUrl,
        embedDim: this.deps.embedDim,
        clientModel: this.config.clientModel,
        pixels: pixelFormatOf(this.task),
        ...(this.config.maxImagesPerClient !== undefined ? { maxImages: this.config.maxImagesPerClient } : {}),
      },
    };
  }

  /** Shards are handed out least-used first, so N tabs cover N styles before any style is doubled. */
  private pickShard(): number {
    const uses = this.task.shards.map(() => 0);
    for (const c of this.clients.values()) uses[c.shardIndex]++;
    return uses.indexOf(Math.min(...uses));
  }

  private readonly cappedShards = new Map<number, ImageShard>();

  /**
   * The client's shard, cut to the run's `maxImagesPerClient` by a seeded subset (the same for every client
   * holding that shard), so a quick demo or test does not make a slow device encode hundreds of images.
   */
  shardFor(clientId: string, key: string | undefined): ImageShard | undefined {
    const c = this.clients.get(clientId);
    // Only the client the shard was assigned to, with the key from its welcome, gets it.
    if (!c || !keyMatches(key, c.shardKey)) return undefined;
    const shard = this.task.shards[c.shardIndex];
    const cap = this.config.maxImagesPerClient;
    if (cap === undefined || shard.labels.length <= cap) return shard;
    let capped = this.cappedShards.get(c.shardIndex);
    if (!capped) {
      const keep = Array.from(new SeededRandom(this.config.seed * 31 + c.shardIndex).permutation(shard.labels.length).subarray(0, cap)).sort((a, b) => a - b);
      capped = { ...shard, ...selectImages(shard, keep) };
      this.cappedShards.set(c.shardIndex, capped);
    }
    return capped;
  }


  markReady(clientId: string, ready: ClientReady): void {
    const c = this.requireClient(clientId);
    c.ready = true;
    c.stage = 'ready';
    c.numSamples = ready.numSamples;
    c.lastSeen = Date.now();
    this.deps.log.info({ runId: this.id, clientId, encodeMs: Math.round(ready.encodeMs), images: ready.imagesEncoded }, 'client ready');
    this.emitState();
    this.maybeStartRound();
  }

  noteProgress(clientId: string, stage: string): void {
    const c = this.clients.get(clientId);
    if (c) {
      c.stage = stage;
      c.lastSeen = Date.now();
    }
  }

  leave(clientId: string): void {
    const c = this.clients.get(clientId);
    if (!c) return;
    c.channel = null;
    c.ready = false;
    c.stage = 'disconnected';
    c.lastSeen = Date.now();
    c.shardKey = '';
    this.deps.log.info({ runId: this.id, clientId }, 'client left');
    if (this.open?.selected.delete(clientId)) {
      // Its partial work never counts: the streaming sum only ever holds accepted, complete uploads.
      this.maybeCloseRound();
    }
    this.emitState();
  }

  private requireClient(clientId: string): ClientSession {
    const c = this.clients.get(clientId);
    if (!c) throw new RunError('not-joined', `client ${clientId} has not joined run ${this.id}`);
    return c;
  }

  /** The model a client was sent this round, which its upload must match in layout and stay near. */
  private referenceAdapter(c: ClientSession): WeightSet {
    return this.strategy.weightsFor(c.shardIndex);
  }

  receiveUpdate(
    clientId: string,
    update: {
      runId: string;
      round: number;
      numSamples: number;
      ownImages?: true;
      metrics: { loss: number; trainAccuracy: number; trainMs: number };
      weights: WireTensor[];
      classGradients?: WireTensor[];
    },
  ): UpdateAck {
    const c = this.clients.get(clientId);
    const refuse = (code: ServerError['code'], reason: string): UpdateAck => {
      this.deps.log.warn({ runId: this.id, clientId, code, reason }, 'update refused');
      this.emit('refusal', { clientId, code, reason });
      return { accepted: false, code, reason };
    };
    if (!c) return refuse('not-joined', 'this client has not joined the run');
    c.lastSeen = Date.now();
    const open = this.open;
    if (!open || update.round !== open.round) {
      return refuse('wrong-round', `update is for round ${update.round}, but ${open ? `round ${open.round} is open` : 'no round is open'}`);
    }
    if (!open.selected.has(clientId)) return refuse('not-selected', `client was not selected for round ${open.round}`);
    if (open.accepted.has(clientId)) return refuse('duplicate-update', `round ${open.round} already has this client's update`);
    const reference = this.referenceAdapter(c);
    // The streaming sum copies an update in, so an upload it alone keeps is decoded into one buffer for the run: a
    // new 2 MB array per upload cost more than the decoding itself (page faults, then collections).
    const into = open.sum && !this.deps.recordUploads && !update.ownImages ? (this.uploadBuffer ??= reference.map((t) => new Float32Array(t.data.length))) : undefined;
    let weights: WeightSet;
    try {
      weights = decodeTensors(update.weights, into);
    } catch (e) {
      if (e instanceof TensorDecodeError) return refuse('bad-update', e.message);
      throw e;
    }
    const measured = measureUpdate(weights, reference);
    if (!measured.ok) return refuse('bad-update', measured.problem);
    const norm = measured.norm;
    const bound = updateNormBound(this.config, reference);
    if (norm > bound) {
      return refuse('bad-update', `update moves the adapter by ${norm.toPrecision(4)} (L2), above the run's bound of ${+bound.toPrecision(4)}`);
    }
    // The weight the server can check, not the claimed count (update-admission.ts).
    const weight = admittedWeight(update.numSamples, update.ownImages === true, assignedShardSize(this.task, this.config, c.shardIndex), ownImagesWeightCap(this.task, this.config));
    const deferred = update.ownImages === true && open.sum !== null && this.config.aggregation === 'fedavg';
    const extras = this.strategy.readUpload(update);
    if (typeof extras === 'string') return refuse('bad-update', extras);
    weights = this.strategy.admit(weights, reference);
    const accepted: AcceptedUpdate = {
      clientId,
      shardIndex: c.shardIndex,
      ...extras,
      numSamples: weight,
      deferred,
      weights,
      loss: update.metrics.loss,
      trainAccuracy: update.metrics.trainAccuracy,
      trainMs: update.metrics.trainMs,
    };
    open.accepted.set(clientId, accepted);
    open.bytesUp += wireByteLength(update.weights) + (update.classGradients ? wireByteLength(update.classGradients) : 0);
    if (!deferred) open.sum?.add(weights, this.strategy.streamingWeight(weight)!);
    // The streaming sum holds what it needs: keeping every upload too would make a round's memory O(N·P).
    if (open.sum && !deferred && !this.deps.recordUploads) accepted.weights = [];
    c.roundsContributed++;
    c.stage = 'uploaded';
    this.emit('update', { clientId, round: open.round });
    this.emitState();
    this.maybeCloseRound();
    return { accepted: true };
  }

  private reusedSum(): StreamingWeightedSum {
    this.roundSum ??= new StreamingWeightedSum();
    this.roundSum.reset();
    return this.roundSum;
  }

  private readyClients(): string[] {
    return [...this.clients.values()].filter((c) => c.ready && c.channel).map((c) => c.clientId);
  }

  private maybeStartRound(): void {
    if (this.open || this.closing || (this.status !== 'waiting' && this.status !== 'running')) return;
    if (this.round >= this.config.rounds) return;
    const ready = this.readyClients();
    if (ready.length < this.config.minClients) return;
    const round = this.round + 1;
    const attempt = this.retriesOfNextRound;
    this.startRound(round, sampleClients(ready, this.config, round * 101 + attempt), attempt);
  }

  /** Re-issues of the round after `this.round` that fell short of quorum (reset when a round completes). */
  private retriesOfNextRound = 0;

  private startRound(round: number, selected: string[], attempt: number): void {
    this.status = 'running';
    // Encoded once per distinct model: every client shares the global one unless the strategy keeps one per shard.
    const encoded = new Map<WeightSet, ReturnType<typeof encodeTensors>>();
    const weightsFor = (c: ClientSession) => {
      const model = this.strategy.weightsFor(c.shardIndex);
      let w = encoded.get(model);
      if (!w) encoded.set(model, (w = encodeTensors(model, this.config.updateDtype)));
      return w;
    };
    const extras = this.strategy.roundExtras();
    const deadlineAt = Date.now() + this.config.roundDeadlineMs;
    const open: OpenRound = {
      round,
      selected: new Set(selected),
      selectedAtStart: selected.length,
      attempt,
      accepted: new Map(),
      // Streaming (O(P) memory) wherever the strategy allows it; median, trimmed mean and DP need all updates.
      sum: this.strategy.streamingWeight(1) !== undefined ? this.reusedSum() : null,
      startedAt: Date.now(),
      deadlineAt,
      timer: setTimeout(() => this.onDeadline(round), this.config.roundDeadlineMs),
      bytesDown: 0,
      bytesUp: 0,
    };
    this.open = open;
    const training = {
      localEpochs: this.config.localEpochs,
      batchSize: this.config.batchSize,
      learningRate: this.config.learningRate,
      weightDecay: this.config.weightDecay,
      objective: this.config.objective,
      seed: this.config.seed * 10_007 + round,
    };
    for (const id of selected) {
      const c = this.clients.get(id)!;
      c.stage = 'training';
      const w = weightsFor(c);
      c.channel?.send('round:start', { runId: this.id, round, totalRounds: this.config.rounds, deadlineAt, training, weights: w, ...extras });
      open.bytesDown += wireByteLength(w) + (extras.clip2fl ? wireByteLength(extras.clip2fl.classifier) : 0);
    }
    this.deps.log.info({ runId: this.id, round, selected }, 'round started');
    this.emitState();
  }

  private quorumReached(open: OpenRound): boolean {
    return open.accepted.size > 0 && open.accepted.size >= Math.ceil(this.config.minCompletionRate * open.selectedAtStart);
  }

  private onDeadline(round: number): void {
    const open = this.open;
    if (!open || open.round !== round) return;
    if (this.quorumReached(open)) void this.closeRound();
    else this.reissueRound(open, `round ${round} had ${open.accepted.size} of ${open.selectedAtStart} updates at its deadline (quorum ${Math.ceil(this.config.minCompletionRate * open.selectedAtStart)})`);
  }

  /** Closes as soon as every selected client that is still connected has reported, if that makes quorum. */
  private maybeCloseRound(): void {
    const open = this.open;
    if (!open) return;
    const allIn = [...open.selected].every((id) => open.accepted.has(id));
    if (!allIn) return;
    if (this.quorumReached(open)) void this.closeRound();
    else this.reissueRound(open, `round ${open.round} lost too many clients (${open.accepted.size} of ${open.selectedAtStart} updates)`);
  }

  /** Drops a round that fell short of quorum and runs it again with fresh sampling; after too many tries, pauses. */
  private reissueRound(open: OpenRound, why: string): void {
    clearTimeout(open.timer);
    this.open = null;
    this.retriesOfNextRound = open.attempt + 1;
    if (this.retriesOfNextRound > this.config.maxRoundRetries) {
      this.retriesOfNextRound = 0;
      this.pause(`${why}; gave up after ${this.config.maxRoundRetries} retries`);
      return;
    }
    this.deps.log.warn({ runId: this.id, round: open.round, attempt: this.retriesOfNextRound }, `${why}; re-issuing`);
    this.emitState(`${why}; re-issuing the round`);
    this.maybeStartRound();
    if (!this.open) this.emitState(`${why}; waiting for ${this.config.minClients} ready clients`);
  }

  /** Stops starting rounds (an open round is abandoned, its updates never count) until resume(). */
  pause(reason: string): void {
    if (this.status !== 'running' && this.status !== 'waiting') return;
    if (this.open) clearTimeout(this.open.timer);
    this.open = null;
    this.status = 'paused';
    this.pauseReason = reason;
    this.deps.log.warn({ runId: this.id, reason }, 'run paused');
    this.persist();
    this.emitState(`paused: ${reason}`);
  }

  pauseReason: string | undefined;

  resume(): void {
    if (this.status !== 'paused') return;
    if (this.faulted) return void this.resumeAfterFault();
    this.status = this.round > 0 ? 'running' : 'waiting';
    this.pauseReason = undefined;
    this.persist();
    this.emitState('resumed');
    this.maybeStartRound();
  }

  /**
   * True after an error paused the run (a failed write: full disk, permissions); resume() then writes the whole
   * run folder again before any new round, so nothing the failed write should have kept is lost.
   */
  private faulted = false;

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

  private async closeRound(): Promise<void> {
    this.closing = true;
    try {
      await this.closeRoundSteps();
    } catch (e) {
      this.onFault(e, 'closing the round failed');
    } finally {
      this.closing = false;
    }
    if (this.status === 'running') this.maybeStartRound();
  }

  private async closeRoundSteps(): Promise<void> {
    const open = this.open!;
    this.open = null;
    clearTimeout(open.timer);
    const t0 = performance.now();
    const updates = [...open.accepted.values()];
    if (open.sum) {
      // Own-images uploads join the sum only now, when the round's total is known and the share cap can apply.
      const own = updates.filter((u) => u.deferred);
      const used = foldOwnImageUploads(open.sum, own.map((u) => ({ weights: u.weights, weight: u.numSamples })), this.config.maxClientShare);
      own.forEach((u, i) => (u.numSamples = used[i]));
    }
    const closed = { round: open.round, updates, sum: open.sum };
    const aggregated = this.strategy.aggregate(closed);
    const aggregateMs = performance.now() - t0;
    const stepped = (await this.strategy.serverStep?.(closed)) ?? {};
    const t1 = performance.now();
    const evaluation = await this.strategy.evaluate();
    const evalMs = performance.now() - t1;
    if (this.deps.recordUploads) {
      this.records.set(open.round, {
        round: open.round,
        mode: this.config.aggregation,
        uploads: updates.map((u) => ({ clientId: u.clientId, numSamples: u.numSamples, weights: u.weights })),
        global: this.global,
      });
      this.records.delete(open.round - 5);
    }
    this.round = open.round;
    this.retriesOfNextRound = 0;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    await this.recordRound({
      round: open.round,
      evaluation,
      participants: updates.map((u) => u.clientId),
      extra: {
        numSamples: updates.reduce((s, u) => s + u.numSamples, 0),
        meanLoss: mean(updates.map((u) => u.loss)),
        meanTrainAccuracy: mean(updates.map((u) => u.trainAccuracy)),
        meanTrainMs: mean(updates.map((u) => u.trainMs)),
        selected: open.selectedAtStart,
        attempt: open.attempt,
        bytesUp: open.bytesUp,
        bytesDown: open.bytesDown,
        roundMs: Date.now() - open.startedAt,
        aggregateMs,
        evalMs,
        ...stepped,
        ...aggregated,
      },
    });
    for (const u of updates) {
      const c = this.clients.get(u.clientId);
      if (c && c.stage === 'uploaded') c.stage = 'ready';
    }
    if (this.round >= this.config.rounds) await this.finish('all rounds done');
    else {
      await this.saveCheckpoint();
      this.emitState();
    }
  }

  private async recordRound(r: { round: number; evaluation: Evaluation; participants: string[]; extra: Partial<RoundTraffic> & StrategyMetrics }) {
    const row: RoundMetricsRow = {
      runId: this.id,
      round: r.round,
      time: new Date().toISOString(),
      accuracy: r.evaluation.accuracy,
      heldOutAccuracy: r.evaluation.heldOutAccuracy,
      zeroShotAccuracy: this.zeroShot.accuracy,
      zeroShotHeldOutAccuracy: this.zeroShot.heldOutAccuracy,
      perSet: r.evaluation.perSet,
      ...(r.evaluation.personalAccuracy !== undefined
        ? { personalAccuracy: r.evaluation.personalAccuracy, zeroShotPersonalAccuracy: this.zeroShot.personalAccuracy }
        : {}),
      ...(r.evaluation.shots ? { shots: r.evaluation.shots, zeroShotShots: this.zeroShot.shots } : {}),
      ...(r.evaluation.balanced ? { balancedHead: r.evaluation.balanced } : {}),
      participants: r.participants,
      ...r.extra,
    };
    this.metrics.push(row);
    await this.deps.store.appendMetrics(row);
    this.emit('metrics', row);
    this.deps.log.info(
      {
        runId: this.id,
        round: r.round,
        accuracy: +r.evaluation.accuracy.toFixed(4),
        zeroShot: +this.zeroShot.accuracy.toFixed(4),
        ...(r.evaluation.balanced ? { balancedAccuracy: +r.evaluation.balanced.accuracy.toFixed(4) } : {}),
      },
      'round evaluated',
    );
  }

  /**
   * Everything needed to resume after a crash, written atomically after every round: the global adapter, the
   * last completed round, the status, and which client holds which shard (so reconnecting tabs keep theirs).
   */
  private async saveCheckpoint(): Promise<void> {
    const clients = Object.fromEntries([...this.clients.values()].map((c) => [c.clientId, c.shardIndex]));
    const clientSecrets = Object.fromEntries([...this.clients.values()].map((c) => [c.clientId, c.secretDigest]));
    await this.deps.store.writeCheckpoint(this.strategy.checkpointTensors(), {
      runId: this.id,
      round: this.round,
      status: this.status,
      pauseReason: this.pauseReason,
      clients,
      clientSecrets,
      nextClientNumber: this.nextClientNumber,
    });
  }

  /** Restores a run from its folder: the checkpoint wins, metrics rows past it (a round that never completed) are dropped. */
  async restore(): Promise<boolean> {
    const checkpoint = await this.deps.store.readCheckpoint();
    if (!checkpoint) return false;
    const meta = checkpoint.meta as {
      round: number;
      status: RunStatus;
      pauseReason?: string;
      clients?: Record<string, number>;
      clientSecrets?: Record<string, string>;
      nextClientNumber?: number;
    };
    try {
      this.strategy.restore(checkpoint.tensors);
    } catch (e) {
      throw new Error(`checkpoint of run ${this.id}: ${(e as Error).message}`);
    }
    this.round = meta.round;
    this.status = meta.status === 'running' || meta.status === 'waiting' ? (meta.round > 0 ? 'running' : 'waiting') : meta.status;
    this.pauseReason = meta.pauseReason;
    this.nextClientNumber = meta.nextClientNumber ?? 1;
    for (const [clientId, shardIndex] of Object.entries(meta.clients ?? {})) {
      this.clients.set(clientId, {
        clientId,
        channel: null,
        shardIndex: Math.min(shardIndex, this.task.shards.length - 1),
        capabilities: { onnxBackend: 'wasm', tfBackend: 'wasm', backendReason: 'restored; not reconnected yet' },
        clientKind: 'browser',
        ready: false,
        numSamples: 0,
        joinedAt: Date.now(),
        // The grace period for reconnecting starts again at the restart.
        lastSeen: Date.now(),
        roundsContributed: 0,
        stage: 'disconnected',
        secretDigest: typeof meta.clientSecrets?.[clientId] === 'string' ? meta.clientSecrets[clientId] : '',
        shardKey: '',
      });
    }
    const read = await this.deps.store.readMetrics();
    if (read.droppedTornLine !== undefined) this.deps.log.warn({ runId: this.id, line: read.droppedTornLine.slice(0, 200) }, 'metrics.jsonl ended in a line cut short (a crash or a full disk mid-append); dropped it');
    // The run's own rows, written by recordRound (rowsThroughRound has checked their rounds).
    const rows = rowsThroughRound(read.rows, this.round) as RoundMetricsRow[];
    await this.deps.store.rewriteMetrics(rows);
    this.metrics.push(...rows);
    this.deps.log.info({ runId: this.id, round: this.round, status: this.status }, 'run restored from checkpoint');
    return true;
  }

  private async finish(message: string): Promise<void> {
    this.status = 'finished';
    await this.saveCheckpoint();
    this.emitState(message);
    this.emit('finished', this.state(message));
  }

  stop(reason: string): void {
    if (this.open) clearTimeout(this.open.timer);
    this.open = null;
    this.status = 'stopped';
    this.persist();
    this.emitState(reason);
  }

  /**
   * For a graceful server shutdown: abandons the open round (its updates never count) and tells the clients,
   * but keeps the persisted status, so the next start resumes from the last completed round.
   */
  suspendForShutdown(reason: string): void {
    if (this.open) clearTimeout(this.open.timer);
    this.open = null;
    this.emitState(reason);
  }

  private emitState(message?: string): void {
    const state = this.state(message);
    for (const c of this.clients.values()) c.channel?.send('run:state', state);
    this.emit('state', state);
  }
}
