import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import { writeFixtureClipModel } from '@clipfed/clip/testing';
import {
  encodeTensors,
  decodeTensors,
  PROTOCOL_VERSION,
  roundStartSchema,
  runConfigSchema,
  type ClientToServerEvents,
  type RoundStart,
  type ServerError,
  type ServerToClientEvents,
} from '@clipfed/protocol';
import { startServer, type FederatedServer, type FederatedRun } from '@clipfed/server';

let server: FederatedServer;
let run: FederatedRun;
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
let dir: string;
const errors: ServerError[] = [];
let round: z.output<typeof roundStartSchema>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipfed-malformed-'));
  await writeFixtureClipModel(join(dir, 'model'), { embedDim: 16, imageSize: 32 });
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    modelDir: join(dir, 'model'),
    runsDir: join(dir, 'runs'),
    cacheDir: resolve('.cache'),
    webDist: join(dir, 'no-web'),
    operatorToken: 't',
    recordUploads: true,
    logLevel: 'silent',
  });
  run = await server.registry.create(runConfigSchema.parse({ rounds: 2, minClients: 1, roundDeadlineMs: 120_000 }));
  socket = io(server.url, { transports: ['websocket'] });
  socket.on('server:error', (e) => errors.push(e));
  const welcome = await socket.emitWithAck('hello', {
    protocolVersion: PROTOCOL_VERSION,
    clientKind: 'node',
    runId: run.id,
    capabilities: { onnxBackend: 'node', tfBackend: 'cpu', backendReason: 'raw protocol test' },
  });
  expect(welcome.ok).toBe(true);
  const started = new Promise<RoundStart>((r) => socket.once('round:start', r));
  socket.emit('ready', { runId: run.id, numSamples: 10, imagesEncoded: 0, encodeMs: 0 });
  round = roundStartSchema.parse(await started);
});

afterAll(async () => {
  socket?.disconnect();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const metrics = { loss: 1, trainAccuracy: 0.5, trainMs: 1, steps: 1 };

async function sendAndExpectError(update: unknown, code: ServerError['code'], text: RegExp) {
  errors.length = 0;
  const ack = await socket.emitWithAck('update', update as never);
  expect(ack).toMatchObject({ accepted: false, code });
  await expect.poll(() => errors.length).toBeGreaterThan(0);
  expect(errors[0].code).toBe(code);
  expect(errors[0].message).toMatch(text);
}

describe('a raw socket.io client sending malformed updates', () => {
  it('gets an error event naming a wrong shape', async () => {
    const weights = decodeTensors(round.weights);
    weights[0] = { ...weights[0], shape: [weights[0].shape[0] / 2, weights[0].shape[1] * 2] };
    await sendAndExpectError({ runId: run.id, round: round.round, numSamples: 10, metrics, weights: encodeTensors(weights) }, 'bad-update', /shape/);
  });

  it('gets an error event naming a NaN', async () => {
    const weights = decodeTensors(round.weights);
    weights[1].data[3] = NaN;
    await sendAndExpectError({ runId: run.id, round: round.round, numSamples: 10, metrics, weights: encodeTensors(weights) }, 'bad-update', /finite|NaN/i);
  });

  it('gets an error event naming a wrong round id', async () => {
    await sendAndExpectError({ runId: run.id, round: round.round + 7, numSamples: 10, metrics, weights: round.weights }, 'wrong-round', /round 8/);
  });

  it('gets an error event for tensors sent as JSON arrays', async () => {
    const weights = round.weights.map((w) => ({ ...w, bytes: Array.from(w.bytes) }));
    await sendAndExpectError({ runId: run.id, round: round.round, numSamples: 10, metrics, weights }, 'bad-message', /binary/);
  });

  it('aggregated none of them, and the run goes on with a valid update', async () => {
    expect(run.metrics.map((m) => m.round)).toEqual([0]);
    expect(run.status).toBe('running');
    const next = new Promise<RoundStart>((r) => socket.once('round:start', r));
    const weights = decodeTensors(round.weights);
    weights[1].data[0] += 0.25;
    const ack = await socket.emitWithAck('update', { runId: run.id, round: round.round, numSamples: 10, metrics, weights: encodeTensors(weights) });
    expect(ack).toEqual({ accepted: true });
    const round2 = await next;
    expect(round2.round).toBe(round.round + 1);
    const round2Weights = roundStartSchema.parse(round2).weights;
    expect(run.metrics.map((m) => m.round)).toEqual([0, 1]);
    // One honest upload: the new global adapter is exactly that upload; the next round carries it in the run's
    // wire dtype (float16 by default), so to within half a float16 step.
    expect(run.global[1].data[0]).toBe(weights[1].data[0]);
    expect(run.config.updateDtype).toBe('float16');
    expect(decodeTensors(round2Weights)[1].data[0]).toBeCloseTo(weights[1].data[0], 3);
  });
});
