import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { FederatedClient, type AdapterTrainer, type ClientSocket } from '@clipfed/client';
import { createNodePlatform, inlineTrainer, memoryFeatureCache } from '@clipfed/client/node';
import { runConfigSchema, type RunConfigInput } from '@clipfed/protocol';
import type { FederatedServer } from '@clipfed/server';
import { BUILTIN_MODEL_DIR, startBuiltinModelServer } from './builtin-server';

const MODEL_DIR = BUILTIN_MODEL_DIR;
const CLIENTS = 5;
/** How far (accuracy, absolute) a robust rule under attack may fall below the honest FedAvg run. */
const ROBUST_MARGIN = 0.03;

/** The default bound on how far one upload may move the adapter: `maxUpdateNormFactor` (4) times its norm. */
const DEFAULT_BOUND_FACTOR = runConfigSchema.parse({}).maxUpdateNormFactor;

const norm = (xs: Float32Array[]) => Math.sqrt(xs.reduce((s, x) => s + x.reduce((a, v) => a + v * v, 0), 0));

/**
 * Trains honestly, then flips its update and scales it to 95 % of the default bound: θ_g − k(θ − θ_g), the
 * strongest sign flip the server's norm check lets through (k is about 4 × ‖θ_g‖ / ‖θ − θ_g‖).
 */
const signFlipAttacker: AdapterTrainer = {
  async train(req, onProgress) {
    const honest = await inlineTrainer.train(req, onProgress);
    const deltas = honest.weights.map((t, i) => t.data.map((v, j) => v - req.weights[i].data[j]));
    const k = (0.95 * DEFAULT_BOUND_FACTOR * norm(req.weights.map((t) => t.data))) / norm(deltas);
    const weights = honest.weights.map((t, i) => ({ ...t, data: req.weights[i].data.map((g, j) => g - k * deltas[i][j]) }));
    return { ...honest, weights };
  },
};

let server: FederatedServer;
let dir: string;
const sharedModel = () => loadClipModelFromDir(MODEL_DIR);
let model: ReturnType<typeof sharedModel>;
const featureCache = memoryFeatureCache();
const results: Record<string, number> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipfed-robust-'));
  server = await startBuiltinModelServer(dir);
  model = sharedModel();
});

afterAll(async () => {
  await server?.close();
  await (await model)?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** One run with five Node clients over real sockets; the last one attacks when asked. Returns the final accuracy. */
async function finalAccuracy(aggregation: RunConfigInput['aggregation'], attacked: boolean): Promise<number> {
  const run = await server.registry.create(
    // Default bounds: the attacker stays inside them, so every rule has to deal with its upload.
    runConfigSchema.parse({ rounds: 3, minClients: CLIENTS, localEpochs: 2, learningRate: 1e-3, aggregation, roundDeadlineMs: 300_000 }),
  );
  const sockets: ClientSocket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const socket: ClientSocket = io(server.url, { transports: ['websocket'] });
    sockets.push(socket);
    const trainer = attacked && i === CLIENTS - 1 ? signFlipAttacker : inlineTrainer;
    new FederatedClient(socket, createNodePlatform({ serverUrl: server.url, modelDir: MODEL_DIR, tfBackend: 'wasm', sharedModel: model, featureCache, trainer }), {
      runId: run.id,
    });
  }
  await new Promise<void>((r) => run.once('finished', () => r()));
  for (const s of sockets) s.disconnect();
  const last = run.metrics.at(-1) as { accuracy: number; participants: string[] };
  expect(last.participants).toHaveLength(CLIENTS);
  return last.accuracy;
}

describe('one malicious client among five (sign-flipped updates at 95 % of the default norm bound)', { timeout: 600_000 }, () => {
  it('pulls plain FedAvg down, while median and trimmed mean stay within the margin of the honest run', async () => {
    results.honest = await finalAccuracy('fedavg', false);
    results.fedavgAttacked = await finalAccuracy('fedavg', true);
    results.medianAttacked = await finalAccuracy('median', true);
    results.trimmedAttacked = await finalAccuracy('trimmed-mean', true);
    console.info('robust aggregation accuracies', results);
    expect(results.fedavgAttacked).toBeLessThan(results.honest - ROBUST_MARGIN);
    expect(results.medianAttacked).toBeGreaterThan(results.honest - ROBUST_MARGIN);
    expect(results.trimmedAttacked).toBeGreaterThan(results.honest - ROBUST_MARGIN);
  });
});
