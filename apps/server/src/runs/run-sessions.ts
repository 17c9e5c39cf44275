import { PROTOCOL_VERSION, type ClientHello, type ImageShard, type RunConfig, type Welcome } from '@clipfed/protocol';
import { SeededRandom } from '@clipfed/fl';
import type { ClientChannel } from './client-channel';
import { issueResumeSecret, issueShardKey, keyMatches, secretMatches } from './client-credentials';
import { expiredSessions } from './session-expiry';
import { pixelFormatOf, selectImages, type RunTask } from './run-task';
import { RunError, type RunDeps } from './run-types';

export interface ClientSession {
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

/** What a checkpoint keeps of the sessions: which client holds which shard, their secrets' digests, the next id. */
export type SessionsCheckpoint = {
  clients: Record<string, number>;
  clientSecrets: Record<string, string>;
  nextClientNumber: number;
};

/**
 * A run's clients: admission at hello (resuming with the secret or a new identity), shard assignment, the shard
 * link's key, expiry of the departed, and what a checkpoint keeps of them. Knows nothing of rounds.
 */
export class RunSessions {
  private readonly clients = new Map<string, ClientSession>();
  private readonly cappedShards = new Map<number, ImageShard>();
  private nextClientNumber = 1;

  constructor(
    private readonly runId: string,
    private readonly task: RunTask,
    private readonly config: RunConfig,
  ) {}

  get(clientId: string): ClientSession | undefined {
    return this.clients.get(clientId);
  }

  all(): IterableIterator<ClientSession> {
    return this.clients.values();
  }

  require(clientId: string): ClientSession {
    const c = this.clients.get(clientId);
    if (!c) throw new RunError('not-joined', `client ${clientId} has not joined run ${this.runId}`);
    return c;
  }

  get connectedCount(): number {
    return [...this.clients.values()].filter((c) => c.channel).length;
  }

  readyClients(): string[] {
    return [...this.clients.values()].filter((c) => c.ready && c.channel).map((c) => c.clientId);
  }

  /** Drops sessions disconnected past the run's grace period (see session-expiry.ts). */
  forgetExpired(): void {
    const sessions = [...this.clients.values()].map((c) => ({ clientId: c.clientId, connected: c.channel !== null, lastSeen: c.lastSeen }));
    for (const id of expiredSessions(sessions, Date.now(), this.config.sessionGraceMs)) this.clients.delete(id);
  }

  summaries() {
    this.forgetExpired();
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

  /** The session a hello resumes (with the secret issued with that id), or a new one on the least-used shard. */
  admit(channel: ClientChannel, hello: ClientHello): { session: ClientSession; resumeSecret: string } {
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
    return { session, resumeSecret };
  }

  /** Shards are handed out least-used first, so N tabs cover N styles before any style is doubled. */
  private pickShard(): number {
    const uses = this.task.shards.map(() => 0);
    for (const c of this.clients.values()) uses[c.shardIndex]++;
    return uses.indexOf(Math.min(...uses));
  }

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

  /** A client that left keeps its session (and shard) for the grace period, but no longer its shard link. */
  disconnect(c: ClientSession): void {
    c.channel = null;
    c.ready = false;
    c.stage = 'disconnected';
    c.lastSeen = Date.now();
    c.shardKey = '';
  }

  checkpoint(): SessionsCheckpoint {
    const clients = Object.fromEntries([...this.clients.values()].map((c) => [c.clientId, c.shardIndex]));
    const clientSecrets = Object.fromEntries([...this.clients.values()].map((c) => [c.clientId, c.secretDigest]));
    return { clients, clientSecrets, nextClientNumber: this.nextClientNumber };
  }

  /** Takes back the sessions of a checkpoint, all disconnected, so reconnecting tabs keep their shards. */
  restore(meta: Partial<SessionsCheckpoint>): void {
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
  }
}

/** Refuses a hello from another protocol version, or for a run that takes no more clients. */
export function helloRefusal(hello: ClientHello, runId: string, status: string): Welcome | undefined {
  if (hello.protocolVersion !== PROTOCOL_VERSION) {
    return { ok: false, code: 'protocol-version', message: `server speaks protocol ${PROTOCOL_VERSION}, client ${hello.protocolVersion}; reload the page` };
  }
  if (status === 'finished' || status === 'stopped') {
    return { ok: false, code: 'run-not-found', message: `run ${runId} is ${status}` };
  }
  return undefined;
}

/** What a joined client is told: its identity and resume secret, and the task with its shard's link. */
export function welcomeFor(
  run: { id: string; config: RunConfig; task: RunTask },
  deps: Pick<RunDeps, 'modelUrl' | 'maxUpdateBytes' | 'embedDim'>,
  session: ClientSession,
  resumeSecret: string,
): Welcome {
  const shard = run.task.shards[session.shardIndex];
  return {
    ok: true,
    protocolVersion: PROTOCOL_VERSION,
    clientId: session.clientId,
    resumeSecret,
    runId: run.id,
    algorithm: run.config.algorithm,
    maxUpdateBytes: deps.maxUpdateBytes,
    task: {
      dataset: run.task.dataset,
      classNames: run.task.classNames,
      prompts: run.task.prompts,
      shardLabel: shard.label,
      shardUrl: `/api/runs/${run.id}/shards/${session.clientId}?key=${session.shardKey}`,
      modelUrl: deps.modelUrl,
      embedDim: deps.embedDim,
      clientModel: run.config.clientModel,
      pixels: pixelFormatOf(run.task),
      ...(run.config.maxImagesPerClient !== undefined ? { maxImages: run.config.maxImagesPerClient } : {}),
    },
  };
}
