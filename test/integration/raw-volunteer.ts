import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import {
  decodeTensors,
  encodeTensors,
  PROTOCOL_VERSION,
  roundStartSchema,
  runStateSchema,
  type ClientHello,
  type ClientToServerEvents,
  type RoundStart,
  type RunState,
  type ServerError,
  type ServerToClientEvents,
  type RunConfigInput,
  type Welcome,
} from '@clipfed/protocol';
import type { WeightSet } from '@clipfed/fl';
import type { ServerOptions } from '../../apps/server/src/server';
import type { FederatedRun } from '../../apps/server/src/runs/federated-run';
import { startFixtureServer, type FixtureServer } from './fixture-server';

export type RawSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** A round:start as the server sent it: the weights still wire tensors. */
export type SentRound = z.output<typeof roundStartSchema>;

/**
 * A volunteer that speaks the protocol by hand over a real socket.io connection, to send what an honest client
 * never would: forged sample counts, other clients' ids, repeated hellos.
 */
export class RawVolunteer {
  readonly errors: ServerError[] = [];
  readonly states: RunState[] = [];
  readonly rounds: { round: number; weights: WeightSet }[] = [];

  private constructor(readonly socket: RawSocket) {
    socket.on('server:error', (e) => this.errors.push(e));
    socket.on('run:state', (s) => this.states.push(runStateSchema.parse(s)));
    socket.on('round:start', (raw) => {
      const r = roundStartSchema.parse(raw);
      this.rounds.push({ round: r.round, weights: decodeTensors(r.weights) });
    });
  }

  static async connect(url: string, opts: { extraHeaders?: Record<string, string> } = {}): Promise<RawVolunteer> {
    const socket: RawSocket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (e) => reject(e));
    });
    return new RawVolunteer(socket);
  }

  hello(runId: string, extra: Partial<ClientHello> = {}): Promise<Welcome> {
    return this.socket.emitWithAck('hello', {
      protocolVersion: PROTOCOL_VERSION,
      clientKind: 'node',
      runId,
      capabilities: { onnxBackend: 'node', tfBackend: 'cpu', backendReason: 'raw volunteer' },
      ...extra,
    });
  }

  /** Says hello and expects to be welcomed: throws with the server's reason where it is not. */
  async welcomed(runId: string, extra: Partial<ClientHello> = {}): Promise<Extract<Welcome, { ok: true }>> {
    const welcome = await this.hello(runId, extra);
    if (!welcome.ok) throw new Error(`hello to run ${runId} refused: ${welcome.code}: ${welcome.message}`);
    return welcome;
  }

  ready(runId: string, numSamples = 10): void {
    this.socket.emit('ready', { runId, numSamples, imagesEncoded: numSamples, encodeMs: 1 });
  }

  /** Welcomed, then ready: resolves with the first round this volunteer is picked for, as the server sent it. */
  async joinRound(runId: string, numSamples = 10): Promise<SentRound> {
    await this.welcomed(runId);
    const started = new Promise<RoundStart>((r) => this.socket.once('round:start', r));
    this.ready(runId, numSamples);
    return roundStartSchema.parse(await started);
  }

  /** Resolves with the next round this volunteer is picked for. */
  async nextRound(): Promise<{ round: number; weights: WeightSet }> {
    const seen = this.rounds.length;
    while (this.rounds.length === seen) await new Promise((r) => this.socket.once('round:start', () => setImmediate(r)));
    return this.rounds[seen];
  }

  upload(runId: string, round: number, weights: WeightSet, numSamples: number, extra: Record<string, unknown> = {}) {
    return this.socket.emitWithAck('update', {
      runId,
      round,
      numSamples,
      metrics: { loss: 1, trainAccuracy: 0.5, trainMs: 1, steps: 1 },
      weights: encodeTensors(weights, 'float32'),
      ...extra,
    });
  }

  close(): void {
    this.socket.disconnect();
  }
}

export interface JoinedFixtureRun {
  fixture: FixtureServer;
  run: FederatedRun;
  volunteer: RawVolunteer;
  /** The run's first round, as the server sent it to `volunteer`. */
  round: SentRound;
  /** Disconnects the volunteer and closes the fixture. */
  close(): Promise<void>;
}

/** A fixture server with one run of `config`, and a raw volunteer in its first round: to send what a client would not. */
export async function joinFixtureRun(config: RunConfigInput, serverOptions: Partial<ServerOptions> = {}): Promise<JoinedFixtureRun> {
  const fixture = await startFixtureServer(serverOptions);
  let volunteer: RawVolunteer | undefined;
  const close = async () => {
    volunteer?.close();
    await fixture.close();
  };
  try {
    const run = await fixture.createRun(config);
    volunteer = await RawVolunteer.connect(fixture.server.url);
    const round = await volunteer.joinRound(run.id);
    return { fixture, run, volunteer, round, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The weights moved by `by` in every coordinate. */
export const shifted = (w: WeightSet, by: number): WeightSet => w.map((t) => ({ ...t, data: t.data.map((v) => v + by) }));
