import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createClient } from 'redis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Server } from 'socket.io';
import type { ClientHello, ClientUpdate, RunState, UpdateAck, Welcome } from '@clipfed/protocol';
import type { FederatedRun } from '../runs/federated-run';
import type { RunRegistry } from '../runs/run-registry';
import { coalescingChannel } from './coalescing-channel';
import { installHttpForwarding } from './http-forwarding';
import { OwnerSessions } from './owner-sessions';
import { RelayInbox, RelayTimeoutError, RelayUnavailableError } from './relay-inbox';
import type { ClientEnvelope, EmitEnvelope, HttpEnvelope, HttpReply } from './relay-messages';
import { KEY_PREFIX, type RedisClient, type ScaleLog } from './redis-types';
import { HEARTBEAT_MS, RunDirectory } from './run-directory';

/**
 * What the socket gateway asks when a volunteer's run is not in this process: the relay to the run's owner.
 * Every method is given messages that the gateway has already validated.
 */
export interface RemoteRuns {
  /** The room all sockets of this process join, so that a broadcast can leave them out. */
  readonly processRoom: string;
  /** Joins the run on the process that owns it; null when no live process owns such a run. */
  hello(socketId: string, hello: ClientHello): Promise<Welcome | null>;
  send(socketId: string, runId: string, event: 'ready' | 'progress' | 'disconnect', data?: unknown): void;
  update(socketId: string, runId: string, update: ClientUpdate): Promise<UpdateAck>;
}

export interface ClusterOptions {
  redisUrl: string;
  registry: RunRegistry;
  /** Identifies the model this process serves; volunteers are only relayed between processes serving the same one. */
  modelKey: string;
  log: ScaleLog;
  /** Longest wait for the owner's answer to a hello, an update or an HTTP request. */
  requestTimeoutMs?: number;
}

/** How long a cached "nobody owns this run" is trusted, and how long a hello keeps looking for a fresh run. */
const CLAIM_POLL_MS = 200;
const LOOKUP_RETRY_MS = 2_000;
const STATE_FANOUT_MS = 250;

/**
 * Several server processes behind one load balancer, sharing volunteers through Redis. Each run is owned by
 * the process that created (or restored) it, which alone aggregates it. A volunteer may be connected to any
 * process: that one validates its messages and relays them to the owner through the owner's Redis stream; the
 * owner's answers and round starts come back the same way, and run state reaches every process's volunteers
 * as one broadcast through socket.io's Redis streams adapter. HTTP requests about a run (shard downloads,
 * state, operator actions) are forwarded to its owner too.
 */
const RELAY_DOWN = 'the relay between server processes is down (Redis is unreachable); try again shortly';

export class Cluster implements RemoteRuns {
  readonly processId = randomBytes(6).toString('hex');
  readonly processRoom = `process:${this.processId}`;
  private readonly directory: RunDirectory;
  private readonly inbox: RelayInbox;
  private readonly sessions: OwnerSessions;
  private readonly firstSeen = new Map<string, number>();
  private readonly fanouts = new Map<string, () => void>();
  private io: Server | null = null;
  private app: FastifyInstance | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly extraClients: RedisClient[] = [];

  private constructor(
    private readonly client: RedisClient,
    private readonly opts: ClusterOptions,
  ) {
    this.directory = new RunDirectory(client, this.processId, opts.modelKey);
    this.inbox = new RelayInbox(client, this.processId, (e) => this.onEnvelope(e), opts.log);
    this.sessions = new OwnerSessions(opts.registry, this.inbox, opts.log, (run) => this.ensureStateFanout(run));
  }

  /** Connects to Redis and starts this process's inbox and heartbeat; fails with the reason when Redis is unreachable. */
  static async connect(opts: ClusterOptions): Promise<Cluster> {
    const client: RedisClient = createClient({ url: opts.redisUrl });
    client.on('error', (e: Error) => opts.log.warn({ error: e.message }, 'redis connection error'));
    try {
      await client.connect();
    } catch (e) {
      throw new Error(`cannot reach Redis at ${opts.redisUrl}: ${(e as Error).message}`);
    }
    const cluster = new Cluster(client, opts);
    await cluster.directory.start();
    await cluster.inbox.start();
    await cluster.claimLocalRuns();
    cluster.timers.push(setInterval(() => void cluster.claimLocalRuns().catch(() => undefined), CLAIM_POLL_MS));
    cluster.timers.push(setInterval(() => void cluster.sessions.sweep((p) => cluster.directory.isAlive(p)).catch(() => undefined), HEARTBEAT_MS));
    for (const t of cluster.timers) t.unref();
    opts.log.info({ process: cluster.processId, redis: opts.redisUrl }, 'joined the server cluster');
    return cluster;
  }

  /** socket.io's adapter for this cluster (pass to the Server before it takes connections). */
  socketAdapter() {
    const adapterClient = this.client.duplicate();
    adapterClient.on('error', (e: Error) => this.opts.log.warn({ error: e.message }, 'redis (socket.io adapter) connection error'));
    this.extraClients.push(adapterClient);
    adapterClient.connect().catch((e: Error) => this.opts.log.warn({ error: e.message }, 'redis (socket.io adapter) did not connect'));
    return createAdapter(adapterClient, { streamName: `${KEY_PREFIX}socket.io`, maxLen: 1000 });
  }

  attachSockets(io: Server): void {
    this.io = io;
  }

  /** Forwards HTTP requests about runs owned elsewhere; install before the API routes. */
  installHttpForwarding(app: FastifyInstance): void {
    this.app = app;
    installHttpForwarding(app, {
      isLocal: (runId) => this.opts.registry.get(runId) !== undefined,
      ownerOf: (runId) => this.remoteOwner(runId, 0),
      forward: (owner, make) => this.inbox.request<HttpReply>(owner, make, this.opts.requestTimeoutMs),
      processId: this.processId,
    });
    // A run is in the directory before its creator hears of it (and a pause or resume before the operator does),
    // so a volunteer sent straight to another process finds it.
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.method === 'POST' && req.routeOptions.url?.startsWith('/api/runs') && reply.statusCode < 300) await this.claimLocalRuns();
      return payload;
    });
  }

  /** Records every run of this process in the directory, and its status whenever it changes. */
  private async claimLocalRuns(): Promise<void> {
    for (const run of this.opts.registry.list()) {
      if (!this.firstSeen.has(run.id)) this.firstSeen.set(run.id, Date.now());
      await this.directory.claim(run.id, run.status, this.firstSeen.get(run.id)!);
    }
  }

  /**
   * The live process owning a run when it is not this one; null otherwise. A run created a moment ago on
   * another process may not be in the directory yet, so a miss is retried for `retryMs`.
   */
  private async remoteOwner(runId: string, retryMs = LOOKUP_RETRY_MS): Promise<string | null> {
    this.assertRelayUp();
    const until = Date.now() + retryMs;
    for (;;) {
      const found = await this.directory.lookup(runId);
      if (found && found.owner !== this.processId) {
        if (found.modelKey !== this.opts.modelKey) {
          this.opts.log.warn({ runId, owner: found.owner }, 'run owned by a process serving another model; not relayed');
          return null;
        }
        return (await this.directory.isAlive(found.owner)) ? found.owner : null;
      }
      if (found || Date.now() >= until) return null;
      await new Promise((r) => setTimeout(r, CLAIM_POLL_MS));
    }
  }

  /**
   * Redis queues commands while it is unreachable; a volunteer would wait for an answer that may never come. Relayed
   * requests are refused at once instead, with the reason, and work again when the connection is back.
   */
  private assertRelayUp(): void {
    if (!this.client.isReady) throw new RelayUnavailableError(RELAY_DOWN);
  }

  async hello(socketId: string, hello: ClientHello): Promise<Welcome | null> {
    if (!this.client.isReady) {
      // A run this process does not own may live on another one; without the relay nobody can say.
      return { ok: false, code: 'run-not-found', message: RELAY_DOWN };
    }
    let runId = hello.runId;
    let owner: string | null = null;
    if (runId) owner = await this.remoteOwner(runId);
    else {
      const newest = await this.directory.newestOpenRun();
      if (newest && newest.ownership.owner !== this.processId && newest.ownership.modelKey === this.opts.modelKey) {
        runId = newest.runId;
        owner = newest.ownership.owner;
      }
    }
    if (!owner || !runId) return null;
    const id = runId;
    try {
      return await this.inbox.request<Welcome>(owner, (req) => this.clientEnvelope(socketId, id, 'hello', { ...hello, runId: id }, req), this.opts.requestTimeoutMs);
    } catch (e) {
      if (e instanceof RelayTimeoutError) return { ok: false, code: 'run-not-found', message: `the server process that owns run ${id} did not answer` };
      throw e;
    }
  }

  send(socketId: string, runId: string, event: 'ready' | 'progress' | 'disconnect', data?: unknown): void {
    this.remoteOwner(runId, 0)
      .then((owner) => {
        if (owner) this.inbox.send(owner, this.clientEnvelope(socketId, runId, event, data));
      })
      .catch((e: Error) => this.opts.log.warn({ runId, event, error: e.message }, 'relayed message lost'));
  }

  async update(socketId: string, runId: string, update: ClientUpdate): Promise<UpdateAck> {
    try {
      const owner = await this.remoteOwner(runId, 0);
      if (!owner) return { accepted: false, code: 'run-not-found', reason: `the server process that owns run ${runId} is gone` };
      return await this.inbox.request<UpdateAck>(owner, (req) => this.clientEnvelope(socketId, runId, 'update', update, req), this.opts.requestTimeoutMs);
    } catch (e) {
      // Whatever failed (the relay is down, the owner did not answer), the volunteer hears why and the process goes on.
      return { accepted: false, code: 'run-not-found', reason: (e as Error).message };
    }
  }

  private clientEnvelope(sid: string, runId: string, ev: ClientEnvelope['ev'], data?: unknown, req?: number): ClientEnvelope {
    return { t: 'client', from: this.processId, sid, runId, ev, data, req };
  }

  private onEnvelope(e: ClientEnvelope | EmitEnvelope | HttpEnvelope): void {
    try {
      if (e.t === 'client') this.sessions.handle(e);
      else if (e.t === 'emit') this.io?.sockets.sockets.get(e.sid)?.emit(e.ev, ...(e.args as [never]));
      else this.answerHttp(e).catch((err: Error) => this.opts.log.warn({ url: e.url, error: err.message }, 'relayed HTTP request failed'));
    } catch (err) {
      this.opts.log.warn({ kind: e.t, error: (err as Error).message }, 'relayed message failed');
    }
  }

  private async answerHttp(e: HttpEnvelope): Promise<void> {
    let reply: HttpReply;
    if (!this.app) reply = { status: 503, contentType: 'application/json', body: Buffer.from('{"error":"not serving HTTP"}') };
    else {
      const res = await this.app.inject({
        method: e.method as 'GET',
        url: e.url,
        headers: e.headers,
        payload: e.body,
        remoteAddress: e.ip,
      });
      reply = { status: res.statusCode, contentType: res.headers['content-type'] as string | undefined, body: res.rawPayload };
    }
    this.inbox.reply(e.from, e.req, reply);
  }

  /**
   * Run state for volunteers on other processes: one adapter broadcast to the run's room (leaving out this
   * process's sockets, which the run tells itself), coalesced like a single client's (coalescing-channel.ts).
   */
  private ensureStateFanout(run: FederatedRun): void {
    if (this.fanouts.has(run.id)) return;
    const broadcast = coalescingChannel((event, ...args) => this.io?.to(`run:${run.id}`).except(this.processRoom).emit(event, ...args), STATE_FANOUT_MS);
    const onState = (state: RunState) => broadcast.send('run:state', state);
    run.on('state', onState);
    this.fanouts.set(run.id, () => {
      run.off('state', onState);
      broadcast.close();
    });
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const stop of this.fanouts.values()) stop();
    await this.inbox.close();
    await this.directory.close();
    for (const c of [...this.extraClients, this.client]) await c.close().catch(() => undefined);
  }
}
