import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { FederatedClient, type ClientSocket } from '@clipfed/client';
import { createNodePlatform, memoryFeatureCache } from '@clipfed/client/node';
import { initNodeTfBackend } from '@clipfed/fl';
import type { RoundMetricsRow } from '@clipfed/protocol';
import { runConfigFromFlags, type FederatedServer } from '@clipfed/server';
import { BUILTIN_MODEL_DIR, startBuiltinModelServer } from './builtin-server';

const MODEL_DIR = BUILTIN_MODEL_DIR;
/** What `npm start` asks for: two or three tabs. */
const CLIENTS = 3;

let server: FederatedServer;
let dir: string;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipfed-default-run-'));
  server = await startBuiltinModelServer(dir);
  await initNodeTfBackend(['wasm', 'cpu'], () => undefined);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the run npm start creates, with three Node clients on the built-in model', { timeout: 600_000 }, () => {
  it('lifts the clients\' own-domain accuracy at least 10 points above zero-shot within its 10 rounds', async () => {
    const flags = runConfigFromFlags({});
    if (!flags.ok) throw new Error(flags.reason);
    const run = await server.registry.create(flags.config);
    const rows: RoundMetricsRow[] = [];
    run.on('metrics', (row: RoundMetricsRow) => rows.push(row));
    const sharedModel = loadClipModelFromDir(MODEL_DIR);
    const featureCache = memoryFeatureCache();
    for (let i = 0; i < CLIENTS; i++) {
      const socket: ClientSocket = io(server.url, { transports: ['websocket'] });
      sockets.push(socket);
      new FederatedClient(socket, createNodePlatform({ serverUrl: server.url, modelDir: MODEL_DIR, tfBackend: 'wasm', sharedModel, featureCache }), { runId: run.id });
    }
    await new Promise<void>((done) => run.once('finished', () => done()));

    expect(rows.map((r) => r.round)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const last = rows.at(-1)!;
    const gain = last.personalAccuracy! - last.zeroShotPersonalAccuracy!;
    console.log(`default run: own-domain accuracy ${last.zeroShotPersonalAccuracy} (zero-shot) -> ${last.personalAccuracy} after 10 rounds`);
    expect(gain, 'own-domain accuracy after 10 rounds minus zero-shot').toBeGreaterThanOrEqual(0.1);
    await (await sharedModel).dispose();
  });
});
