import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import { writeFixtureClipModel } from '@clipfed/clip/testing';
import { adaptFeatureArray, classGradientsToWeightSet, classifierFromWeightSet, computeClientClassGradients } from '@clipfed/fl';
import {
  decodeTensors,
  encodeTensors,
  PROTOCOL_VERSION,
  roundStartSchema,
  runConfigSchema,
  type ClientToServerEvents,
  type RoundStart,
  type ServerError,
  type ServerToClientEvents,
  type WireTensor,
} from '@clipfed/protocol';
import { startServer, type FederatedServer, type FederatedRun } from '@clipfed/server';

const DIM = 16;
let server: FederatedServer;
let run: FederatedRun;
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
let dir: string;
const errors: ServerError[] = [];
let round: z.output<typeof roundStartSchema>;
let numClasses: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipfed-clip2fl-malformed-'));
  await writeFixtureClipModel(join(dir, 'model'), { embedDim: DIM, imageSize: 32 });
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    modelDir: join(dir, 'model'),
    runsDir: join(dir, 'runs'),
    cacheDir: resolve('.cache'),
    webDist: join(dir, 'no-web'),
    operatorToken: 't',
    logLevel: 'silent',
  });
  // EmojiDomains (no dataset package needed): 18 classes, CLIP2FL with a tiny server step.
  run = await server.registry.create(
    runConfigSchema.parse({ algorithm: 'clip2fl', rounds: 2, minClients: 1, roundDeadlineMs: 120_000, clip2fl: { featuresPerClass: 4, matchSteps: 2, retrainEpochs: 2 } }),
  );
  numClasses = run.task.classNames.length;
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

/** Honest class gradients for two classes, computed like a client does, on random features. */
function honestGradients(): WireTensor[] {
  const R = classifierFromWeightSet(decodeTensors(round.clip2fl!.classifier));
  const features = Float32Array.from({ length: 6 * DIM }, (_, i) => Math.sin(i + 1));
  const adapted = adaptFeatureArray(decodeTensors(round.weights), features, DIM);
  const grads = computeClientClassGradients(R, adapted, Int32Array.of(1, 1, 1, 4, 4, 4), { seed: 1 });
  return encodeTensors(classGradientsToWeightSet(grads, numClasses, DIM));
}

/** Replaces one tensor of honest gradients (decoded, changed, encoded again). */
function tampered(name: string, change: (t: { name: string; shape: number[]; data: Float32Array }) => { name: string; shape: number[]; data: Float32Array }): WireTensor[] {
  return encodeTensors(decodeTensors(honestGradients()).map((t) => (t.name === name ? change(t) : t)));
}

async function expectRefused(classGradients: WireTensor[] | undefined, text: RegExp) {
  errors.length = 0;
  const update = { runId: run.id, round: round.round, numSamples: 10, metrics, weights: round.weights, ...(classGradients ? { classGradients } : {}) };
  const ack = await socket.emitWithAck('update', update);
  expect(ack).toMatchObject({ accepted: false, code: 'bad-update' });
  if (!ack.accepted) expect(ack.reason).toMatch(text);
  await expect.poll(() => errors.length).toBeGreaterThan(0);
  expect(errors[0]).toMatchObject({ code: 'bad-update', message: expect.stringMatching(text) });
}

describe('a raw client of a CLIP2FL run sending malformed class gradients', () => {
  it('receives R with the round, shaped [classes, d]', () => {
    const R = classifierFromWeightSet(decodeTensors(round.clip2fl!.classifier));
    expect([R.numClasses, R.dim]).toEqual([numClasses, DIM]);
    expect(round.clip2fl).toMatchObject({ gradientBatchSize: 32, gradientRepeats: 10, kd: { temperature: 3, alpha: 1 } });
  });

  it('is refused without class gradients', async () => {
    await expectRefused(undefined, /must carry class gradients/);
  });

  it('is refused for a class id out of range', async () => {
    await expectRefused(
      tampered('class_gradients.classes', (t) => ({ ...t, data: Float32Array.of(1, numClasses + 3) })),
      new RegExp(`class id ${numClasses + 3} is outside 0..${numClasses - 1}`),
    );
  });

  it('is refused for a non-finite gradient value', async () => {
    await expectRefused(
      tampered('class_gradients.weight', (t) => {
        const data = t.data.slice();
        data[5] = Number.POSITIVE_INFINITY;
        return { ...t, data };
      }),
      /non-finite/,
    );
  });

  it('is refused for gradients of the wrong shape', async () => {
    await expectRefused(
      tampered('class_gradients.bias', (t) => ({ ...t, shape: [2, numClasses - 1], data: t.data.slice(0, 2 * (numClasses - 1)) })),
      /shape/,
    );
  });

  it('aggregated none of them; honest gradients are accepted and drive the server step', async () => {
    expect(run.metrics.map((m) => m.round)).toEqual([0]);
    const next = new Promise<RoundStart>((r) => socket.once('round:start', r));
    const ack = await socket.emitWithAck('update', { runId: run.id, round: round.round, numSamples: 10, metrics, weights: round.weights, classGradients: honestGradients() });
    expect(ack).toEqual({ accepted: true });
    await next;
    const row = run.metrics.at(-1) as { round: number; serverStep: { matchedClasses: number[] }; balancedHead: { accuracy: number } };
    expect(row.round).toBe(1);
    expect(row.serverStep.matchedClasses).toEqual([1, 4]);
    expect(row.balancedHead.accuracy).toEqual(expect.any(Number));
  });
});
