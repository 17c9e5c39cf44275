import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { FederatedClient, type ClientSocket } from '@clipfed/client';
import { createNodePlatform, inlineTrainer, memoryFeatureCache } from '@clipfed/client/node';
import { SeededRandom, updateNorm, type WeightSet } from '@clipfed/fl';
import { runConfigSchema } from '@clipfed/protocol';
import type { FederatedServer } from '@clipfed/server';
import { BUILTIN_MODEL_DIR, startBuiltinModelServer } from './builtin-server';
import { RawVolunteer } from './raw-volunteer';

const MODEL_DIR = BUILTIN_MODEL_DIR;
const HONEST = 4;

let server: FederatedServer;
let dir: string;
let model: ReturnType<typeof loadClipModelFromDir>;
const featureCache = memoryFeatureCache();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipfed-poisoning-'));
  server = await startBuiltinModelServer(dir);
  model = loadClipModelFromDir(MODEL_DIR);
});

afterAll(async () => {
  await server?.close();
  await (await model)?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** The attack as it was first tried: ten million claimed samples, and global + 900 × a unit vector. */
async function attack(attacker: RawVolunteer, runId: string): Promise<void> {
  const round = await attacker.nextRound();
  const rng = new SeededRandom(11);
  const direction: WeightSet = round.weights.map((t) => ({ ...t, data: rng.fillNormal(new Float32Array(t.data.length)) }));
  const length = updateNorm(direction, direction.map((t) => ({ ...t, data: new Float32Array(t.data.length) })));
  const poison = round.weights.map((t, k) => ({ ...t, data: t.data.map((v, i) => v + (900 / length) * direction[k].data[i]) }));
  await attacker.upload(runId, round.round, poison, 10_000_000);
  // A refused attacker that stays only makes the round wait for its deadline; leaving lets it close at once.
  attacker.close();
}

/** One run with the run's default defences: four honest Node clients over real sockets, and the attacker if asked. */
async function finalAccuracy(attacked: boolean): Promise<number> {
  const run = await server.registry.create(runConfigSchema.parse({ rounds: 1, minClients: HONEST + (attacked ? 1 : 0), roundDeadlineMs: 300_000 }));
  const sockets: ClientSocket[] = [];
  for (let i = 0; i < HONEST; i++) {
    const socket: ClientSocket = io(server.url, { transports: ['websocket'] });
    sockets.push(socket);
    new FederatedClient(socket, createNodePlatform({ serverUrl: server.url, modelDir: MODEL_DIR, tfBackend: 'wasm', sharedModel: model, featureCache, trainer: inlineTrainer }), {
      runId: run.id,
    });
  }
  const finished = new Promise<void>((r) => run.once('finished', () => r()));
  if (attacked) {
    // The honest clients take the four style shards first, as in the honest run; the attacker joins last.
    await expect.poll(() => run.clientSummaries().length, { timeout: 120_000 }).toBe(HONEST);
    const attacker = await RawVolunteer.connect(server.url);
    const welcome = await attacker.hello(run.id);
    expect(welcome.ok).toBe(true);
    attacker.ready(run.id, 10_000_000);
    await attack(attacker, run.id);
  }
  await finished;
  for (const s of sockets) s.disconnect();
  const last = run.metrics.at(-1) as { accuracy: number; participants: string[] };
  expect(last.participants).toHaveLength(HONEST);
  return last.accuracy;
}

describe('the poisoning attack replayed against the default settings (FedAvg)', { timeout: 600_000 }, () => {
  it('leaves the global accuracy within 1 point of the honest run', async () => {
    const honest = await finalAccuracy(false);
    const attacked = await finalAccuracy(true);
    console.info('poisoning: final accuracy', { honest, attacked });
    expect(Math.abs(attacked - honest)).toBeLessThanOrEqual(0.01);
  });
});
