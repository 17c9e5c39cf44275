import { io, type Socket } from 'socket.io-client';
import {
  decodeTensors,
  encodeTensors,
  PROTOCOL_VERSION,
  roundStartSchema,
  runStateSchema,
  type ClientHello,
  type ClientToServerEvents,
  type RunState,
  type ServerError,
  type ServerToClientEvents,
  type Welcome,
} from '@clipfed/protocol';
import type { WeightSet } from '@clipfed/fl';

export type RawSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

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

  ready(runId: string, numSamples = 10): void {
    this.socket.emit('ready', { runId, numSamples, imagesEncoded: numSamples, encodeMs: 1 });
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

/** The weights moved by `by` in every coordinate. */
export const shifted = (w: WeightSet, by: number): WeightSet => w.map((t) => ({ ...t, data: t.data.map((v) => v + by) }));
