import type { Socket } from 'socket.io-client';
import type { ClipModel } from '@clipfed/clip';
import {
  decodeShard,
  decodeTensors,
  encodeTensors,
  parseMessage,
  PROTOCOL_VERSION,
  roundStartSchema,
  runStateSchema,
  serverErrorSchema,
  welcomeSchema,
  wireByteLength,
  type ClientToServerEvents,
  type ImageShard,
  type RunState,
  type ServerToClientEvents,
  type TaskDescription,
  type UpdateAck,
  type WireDType,
} from '@clipfed/protocol';
import { encodeRgbImages } from '@clipfed/clip';
import { batchSizesPerEpoch, clientModelFor, preprocessPixels, rgbPixelFormat, type ClientModelContext } from '@clipfed/fl';
import type { ClientPlatform } from './platform';
import type { ClientStatus } from './client-status';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Who this client is in a run: kept where it survives a page reload (a tab's sessionStorage), never shared. */
export interface SavedIdentity {
  runId: string;
  clientId: string;
  resumeSecret: string;
}

/** Where a client keeps its identity between page loads; absent in Node, where a process is one client for its life. */
export interface IdentityStore {
  load(): SavedIdentity | undefined;
  save(identity: SavedIdentity): void;
}

export interface FederatedClientOptions {
  runId?: string;
  /** A reloaded tab resumes as the same client (same shard, same count of rounds) instead of joining as a new one. */
  identity?: IdentityStore;
  joinCode?: string;
  /** How uploads are encoded; default: as the server sent the round's global model (the run's setting). */
  updateDtype?: WireDType;
  onStatus?: (status: ClientStatus) => void;
  /** The volunteer's own labelled images instead of the server's shard; they never leave this client. */
  localShard?: (task: TaskDescription) => Promise<ImageShard>;
}

interface PreparedData {
  clientModel: TaskDescription['clientModel'];
  context: ClientModelContext;
  features: Float32Array;
  /** The shard's images as the model reads them, kept when the model reads pixels (the student). */
  pixels?: Float32Array;
  labels: Int32Array;
  textEmbeddings: Float32Array;
}

/**
 * The client runtime, one code path for a browser tab and a Node simulated client: join, fetch the shard and the
 * model, encode images and prompts once, then train and upload for every round it is picked for. Every message
 * from the server is validated too.
 */
export class FederatedClient {
  private status: ClientStatus = { stage: 'connecting', message: 'connecting to the server', contributed: { rounds: 0, imagesEncoded: 0, computeMs: 0, bytesSent: 0 } };
  private model: ClipModel | null = null;
  private data: PreparedData | null = null;
  private task: TaskDescription | null = null;
  private clientId: string | undefined;
  /** The secret from the welcome: the client id is public, this is what lets this client (only) resume as itself. */
  private resumeSecret: string | undefined;
  private runId: string | undefined;
  private busy: Promise<void> = Promise.resolve();
  /**
   * Set by pause() (until resume()) and leave(): work already in flight may finish, but it sends nothing; while
   * paused its counters still count, after leaving nothing shows at all.
   */
  private halted: 'paused' | 'left' | null = null;
  /** Connections lost so far: a round whose training saw one is not uploaded. */
  private disconnects = 0;

  constructor(
    private readonly socket: ClientSocket,
    private readonly platform: ClientPlatform,
    private readonly opts: FederatedClientOptions = {},
  ) {
    const saved = opts.identity?.load();
    // Only for the run this page was opened for (or any, when the page names none: the server checks the secret).
    if (saved && (!opts.runId || opts.runId === saved.runId)) {
      this.clientId = saved.clientId;
      this.resumeSecret = saved.resumeSecret;
    }
    socket.on('connect', () => void this.join());
    socket.on('round:start', (raw) => {
      // Rounds are handled one at a time; a round that arrives while preparing waits its turn.
      this.busy = this.busy.then(() => this.onRoundStart(raw)).catch((e) => this.fail(e));
    });
    socket.on('run:state', (raw) => {
      const parsed = parseMessage(runStateSchema, raw);
      if (!parsed.ok) return;
      const s = parsed.value;
      this.update({
        totalRounds: s.totalRounds,
        globalAccuracy: s.lastMetrics?.accuracy,
        zeroShotAccuracy: s.lastMetrics?.zeroShotAccuracy,
        globalRound: s.lastMetrics?.round,
        ...(s.status === 'finished' || s.status === 'stopped' ? { stage: 'finished', message: s.message ?? `run ${s.status}` } : {}),
        ...(this.status.stage === 'waiting' && !this.halted ? idleMessage(s) : {}),
      });
    });
    socket.on('server:error', (raw) => {
      const parsed = parseMessage(serverErrorSchema, raw);
      this.update({ lastError: parsed.ok ? `${parsed.value.code}: ${parsed.value.message}` : 'malformed error from server' });
    });
    socket.on('disconnect', (reason) => {
      this.joined = false;
      this.disconnects++;
      if (!this.halted && this.status.stage !== 'finished') this.update({ message: `connection lost (${reason}); reconnecting` });
    });
  }

  get current(): ClientStatus {
    return this.status;
  }

  private update(patch: Partial<ClientStatus>): void {
    if (this.halted === 'left') return;
    if (this.halted === 'paused') {
      // The page keeps saying "paused" while work started before the pause finishes.
      const { stage: _stage, message: _message, progress: _progress, ...rest } = patch;
      patch = rest;
    }
    this.status = { ...this.status, ...patch };
    this.opts.onStatus?.(this.status);
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.update({ stage: 'error', message, lastError: message });
  }

  private lastProgressAt = 0;
  /** Welcomed on the current connection: after a reconnect, messages wait for the new hello's answer. */
  private joined = false;

  /** Tells the server (and its dashboards) how far this client is, at most twice a second plus each stage's end. */
  private reportProgress(stage: 'download' | 'encode' | 'train' | 'upload' | 'idle', done: number, total: number): void {
    const now = Date.now();
    if (done < total && now - this.lastProgressAt < 500) return;
    this.lastProgressAt = now;
    if (this.runId && this.joined) this.socket.emit('progress', { runId: this.runId, stage, done, total });
  }

  /** Says hello on every (re)connect; after a cut, the server gives this client its old place back. */
  private async join(): Promise<void> {
    const raw = await this.socket.emitWithAck('hello', {
      protocolVersion: PROTOCOL_VERSION,
      clientKind: this.platform.kind,
      runId: this.opts.runId,
      joinCode: this.opts.joinCode,
      resumeClientId: this.clientId,
      resumeSecret: this.resumeSecret,
      capabilities: this.platform.capabilities,
    });
    const parsed = parseMessage(welcomeSchema, raw);
    if (!parsed.ok) return this.fail(new Error(`server sent a malformed welcome: ${parsed.reason}`));
    const welcome = parsed.value;
    if (!welcome.ok) return this.fail(new Error(welcome.message));
    const resumed = this.clientId === welcome.clientId && this.data !== null;
    this.clientId = welcome.clientId;
    this.resumeSecret = welcome.resumeSecret;
    this.runId = welcome.runId;
    this.task = welcome.task;
    this.joined = true;
    this.opts.identity?.save({ runId: welcome.runId, clientId: welcome.clientId, resumeSecret: welcome.resumeSecret });
    this.update({ clientId: welcome.clientId, runId: welcome.runId, shardLabel: this.opts.localShard ? this.status.shardLabel : welcome.task.shardLabel });
    this.busy = this.busy
      .then(async () => {
        if (!resumed) await this.prepare(welcome.task);
        this.socket.emit('ready', { runId: welcome.runId, numSamples: this.data!.labels.length, imagesEncoded: this.status.contributed.imagesEncoded, encodeMs: this.encodeMs });
        this.update({ stage: 'waiting', message: 'ready; waiting to be picked for a round' });
      })
      .catch((e) => this.fail(e));
  }

  private encodeMs = 0;

  private async prepare(task: TaskDescription): Promise<void> {
    let shard: ImageShard | null = null;
    if (!this.opts.localShard) {
      this.update({ stage: 'download-data', message: `downloading this tab's shard: ${task.shardLabel}` });
      shard = decodeShard(await this.platform.fetchBytes(task.shardUrl));
    }
    if (!this.model) {
      const startedAt = Date.now();
      this.update({ stage: 'download-model', message: 'loading the CLIP model', progress: { done: 0, total: 1, startedAt } });
      this.model = await this.platform.loadModel(task.modelUrl, (p) => {
        this.update({ progress: { done: p.loaded, total: p.total, startedAt }, message: `loading ${p.file}` });
        this.reportProgress('download', p.loaded, p.total);
      });
    }
    const model = this.model;
    if (model.embedDim !== task.embedDim) throw new Error(`model gives ${model.embedDim}-d features, the run expects ${task.embedDim}`);
    if (!shard) {
      // The volunteer's own images are read after the model is in, as the first part of encoding them: nothing about
      // them is downloaded, so the page's "Download model" step should not light up for it.
      this.update({ stage: 'encode-images', message: 'reading your images (they stay on this device)', progress: undefined });
      shard = await this.opts.localShard!(task);
      this.update({ shardLabel: shard.label });
    }

    const t0 = performance.now();
    const n = shard.labels.length;
    const cacheKey = `${task.modelUrl}|${task.dataset}|${shard.label}|${n}|${digest(shard.images)}`;
    let features = (await this.platform.featureCache?.get(cacheKey)) ?? null;
    if (features && features.length !== n * model.embedDim) features = null;
    if (!features) {
      const startedAt = Date.now();
      this.update({ stage: 'encode-images', message: `encoding ${n} images (once; they never leave this device)`, progress: { done: 0, total: n, startedAt } });
      features = await (this.platform.encodeImages ?? encodeRgbImages)(model, shard.images, shard.width, shard.height, {
        onProgress: (p) => {
          this.update({ progress: { ...p, startedAt } });
          this.reportProgress('encode', p.done, p.total);
        },
      });
      await this.platform.featureCache?.put(cacheKey, features);
      this.update({ contributed: { ...this.status.contributed, imagesEncoded: this.status.contributed.imagesEncoded + n } });
    }
    this.update({ stage: 'encode-prompts', message: `encoding ${task.prompts.length} class prompts`, progress: undefined });
    const textEmbeddings = await model.encodeTexts(task.prompts);
    const context: ClientModelContext = { embedDim: model.embedDim, numClasses: task.classNames.length, pixels: task.pixels ?? rgbPixelFormat(shard.width, shard.height) };
    let pixels: Float32Array | undefined;
    if (clientModelFor(task.clientModel).inputs.includes('pixels')) {
      if (!task.pixels) throw new Error(`the run's ${task.clientModel} reads pixels, but the server sent no pixel format; reload the page`);
      // Kept beside the CLIP features (which the KD teacher still needs), in the one format every client and the server's evaluator use.
      pixels = preprocessPixels(shard.images, shard.width, shard.height, task.pixels);
    }
    this.encodeMs = performance.now() - t0;
    this.update({ contributed: { ...this.status.contributed, computeMs: this.status.contributed.computeMs + this.encodeMs } });
    this.data = { clientModel: task.clientModel, context, features, ...(pixels ? { pixels } : {}), labels: shard.labels, textEmbeddings };
  }

  private async onRoundStart(raw: unknown): Promise<void> {
    const parsed = parseMessage(roundStartSchema, raw);
    if (!parsed.ok) throw new Error(`server sent a malformed round: ${parsed.reason}`);
    const round = parsed.value;
    if (!this.data) throw new Error('picked for a round before the data was ready');
    if (Date.now() > round.deadlineAt) return; // the server has moved on; training would be wasted
    const startedAt = Date.now();
    const disconnectsAtStart = this.disconnects;
    const modelName = clientModelFor(this.data.clientModel).displayName;
    this.update({
      stage: 'training',
      message: `training ${modelName} for round ${round.round}`,
      round: round.round,
      totalRounds: round.totalRounds,
      deadlineAt: round.deadlineAt,
      // The step count is known before the first step (CLIP2FL's probe runs first and can take a while on a GPU's
      // first round), so the bar never shows a placeholder total.
      progress: { done: 0, total: round.training.localEpochs * batchSizesPerEpoch(this.data.labels.length, round.training.batchSize).length, startedAt },
    });
    const t0 = performance.now();
    const clip2fl = round.clip2fl;
    const result = await this.platform.trainer.train(
      {
        ...this.data,
        weights: decodeTensors(round.weights),
        training: round.training,
        ...(clip2fl
          ? {
              probe: { classifier: decodeTensors(clip2fl.classifier), batchSize: clip2fl.gradientBatchSize, repeats: clip2fl.gradientRepeats, seed: round.training.seed },
              ...(clip2fl.kd ? { kd: clip2fl.kd } : {}),
            }
          : {}),
      },
      (p) => {
        this.update({ progress: { done: p.step, total: p.totalSteps, startedAt }, lastLoss: p.loss });
        this.reportProgress('train', p.step, p.totalSteps);
      },
    );
    const trainMs = performance.now() - t0;
    // Paused or left mid-round: the server dropped this client from the round when it disconnected, so the update
    // would only be refused on reconnect.
    if (this.halted) return;
    // The same when the connection dropped during training, even if it is back: the server went on without this
    // tab. (socket.io would also hold an upload made while disconnected and send it ahead of the next hello.)
    if (this.disconnects !== disconnectsAtStart) {
      const now = this.socket.connected ? 'waiting for the next round' : 'reconnecting';
      this.update({ stage: 'waiting', message: `round ${round.round} was trained but not sent: the connection dropped meanwhile; ${now}`, progress: undefined });
      return;
    }
    this.update({ stage: 'uploading', message: `uploading ${modelName} for round ${round.round} (only its weights leave this device)`, progress: undefined });
    // Upload in the run's encoding (the one the global model came in) unless told otherwise.
    const weights = encodeTensors(result.weights, this.opts.updateDtype ?? round.weights[0]?.dtype ?? 'float32');
    // Class gradients go in float32 whatever the model's dtype: they are small, and matching uses their directions.
    const classGradients = result.classGradients ? encodeTensors(result.classGradients, 'float32') : undefined;
    let ack: UpdateAck;
    try {
      ack = await this.socket.emitWithAck('update', {
        runId: round.runId,
        round: round.round,
        numSamples: this.data.labels.length,
        ...(this.opts.localShard ? { ownImages: true as const } : {}),
        metrics: { loss: result.meanLoss, trainAccuracy: result.trainAccuracy, trainMs, steps: result.steps },
        weights,
        ...(classGradients ? { classGradients } : {}),
      });
    } catch {
      // socket.io gives up on an answer when the connection drops; the round goes on without this tab.
      if (!this.halted) this.update({ stage: 'waiting', message: `the connection was lost while uploading round ${round.round}; reconnecting` });
      return;
    }
    const c = this.status.contributed;
    this.update({
      stage: 'waiting',
      message: ack.accepted ? `round ${round.round} uploaded; waiting for the next round` : `round ${round.round} refused: ${ack.reason}`,
      lastLoss: result.meanLoss,
      lastTrainAccuracy: result.trainAccuracy,
      contributed: {
        rounds: c.rounds + (ack.accepted ? 1 : 0),
        imagesEncoded: c.imagesEncoded,
        computeMs: c.computeMs + trainMs,
        bytesSent: c.bytesSent + wireByteLength(weights) + (classGradients ? wireByteLength(classGradients) : 0),
      },
    });
  }

  /**
   * Steps out without losing anything: the server drops this client from any open round at once; resume()
   * rejoins under the same identity with the encoded data kept in memory.
   */
  pause(): void {
    this.update({ stage: 'waiting', message: 'paused; nothing new starts and nothing is sent until you resume', progress: undefined });
    this.halted = 'paused';
    this.socket.disconnect();
  }

  get paused(): boolean {
    return this.halted === 'paused';
  }

  resume(): void {
    this.halted = null;
    this.update({ message: 'reconnecting' });
    this.socket.connect();
  }

  /** Leaves cleanly: the server drops this client from any open round at once instead of waiting for a deadline. */
  async leave(): Promise<void> {
    this.update({ stage: 'finished', message: 'left the run' });
    this.halted = 'left';
    this.socket.disconnect();
  }
}

/** What a tab with nothing to do says about the run: paused (and why), or how many more volunteers it needs. */
function idleMessage(s: RunState): Partial<ClientStatus> {
  if (s.status === 'paused') return { message: s.message ?? 'the run is paused by its operator' };
  if (s.waitingForClients) return { message: `ready; waiting for ${s.waitingForClients} more volunteer${s.waitingForClients === 1 ? '' : 's'}` };
  return {};
}

/** A short content hash for cache keys (FNV-1a over a sample of the bytes plus the length; cheap on big shards). */
function digest(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  const step = Math.max(1, Math.floor(bytes.length / 65536));
  for (let i = 0; i < bytes.length; i += step) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return `${(h >>> 0).toString(16)}-${bytes.length}`;
}
