import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { writeFixtureClipModel } from '@clipfed/clip/testing';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import type { ClipModel } from '@clipfed/clip';
import { FederatedClient, type ClientSocket } from '@clipfed/client';
import { createNodePlatform } from '@clipfed/client/node';
import { initNodeTfBackend } from '@clipfed/fl';
import { freePort, startRedisServer, type RedisServer } from './redis-server';
import { api, startServerProcess, stopProcess, waitFor as waitForProbe, type ServerProcess } from './server-process';
import { RawVolunteer } from './raw-volunteer';

interface RunView {
  state: { status: string; round: number };
  clients: { clientId: string; connected: boolean; ready: boolean; roundsContributed: number }[];
}
interface MetricsRow {
  round: number;
  participants: string[];
}

let dir: string;
let redis: RedisServer;
let a: ServerProcess;
let b: ServerProcess;
let c: ServerProcess | undefined;
let sharedModel: Promise<ClipModel>;
const sockets: ClientSocket[] = [];

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000) =>
  waitForProbe(what, probe, { timeoutMs, context: () => `--- A ---\n${a?.output()}\n--- B ---\n${b?.output()}` });

function volunteer(server: ServerProcess, runId: string | undefined): FederatedClient {
  const socket: ClientSocket = io(server.url, { transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  const platform = createNodePlatform({ serverUrl: server.url, modelDir: join(dir, 'model'), tfBackend: 'wasm', sharedModel });
  return new FederatedClient(socket, platform, { runId });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipfed-scale-'));
  redis = await startRedisServer();
  await writeFixtureClipModel(join(dir, 'model'), { embedDim: 16, imageSize: 32 });
  await initNodeTfBackend(['wasm', 'cpu'], () => undefined);
  sharedModel = loadClipModelFromDir(join(dir, 'model'));
  const common = { modelDir: join(dir, 'model'), extra: ['--redis', redis.url] };
  [a, b] = await Promise.all([
    startServerProcess({ ...common, port: await freePort(), runsDir: join(dir, 'runs-a') }),
    startServerProcess({ ...common, port: await freePort(), runsDir: join(dir, 'runs-b') }),
  ]);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  for (const p of [a, b, c]) if (p) await stopProcess(p.child, 'SIGKILL');
  await (await sharedModel)?.dispose();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('two server processes sharing volunteers through Redis', { timeout: 300_000 }, () => {
  it('a run owned by one process finishes rounds with volunteers connected to both', async () => {
    const { runId } = await api<{ runId: string }>(a.url, '/api/runs', {
      method: 'POST',
      body: { rounds: 3, minClients: 4, localEpochs: 2, learningRate: 1e-3, roundDeadlineMs: 120_000 },
    });
    // B answers for A's run: state, shards and metrics are forwarded to the owner.
    const viaB = await fetch(`${b.url}/api/runs/${runId}`);
    expect(viaB.status).toBe(200);
    expect(viaB.headers.get('x-clipfed-owner')).toBeTruthy();

    const clients = [volunteer(a, runId), volunteer(a, runId), volunteer(b, runId), volunteer(b, undefined)];
    const finished = await waitFor('the run to finish', async () => {
      const run = await api<RunView>(b.url, `/api/runs/${runId}`);
      return run.state.status === 'finished' ? run : undefined;
    });

    const ids = clients.map((c) => c.current.clientId);
    expect(ids.every(Boolean)).toBe(true);
    expect(clients.map((c) => c.current.runId)).toEqual([runId, runId, runId, runId]);
    expect(finished.clients.map((c) => c.clientId).sort()).toEqual([...ids].sort());
    const metrics = await api<MetricsRow[]>(b.url, `/api/runs/${runId}/metrics`);
    expect(metrics.map((m) => m.round)).toEqual([0, 1, 2, 3]);
    for (const m of metrics.slice(1)) expect([...m.participants].sort()).toEqual([...ids].sort());
    // Run state reached the volunteers on B through the adapter's broadcast, not only those on the owner.
    await waitFor('every volunteer to see the run finished', async () => (clients.every((c) => c.current.stage === 'finished') ? true : undefined), 10_000);
    for (const c of clients) expect(c.current.contributed.rounds).toBe(3);
  });

  it('when the process holding some volunteers dies, the owner carries on with the rest', async () => {
    // Long rounds (many local epochs on tiny features), so that B dies while the run still has rounds to go.
    const { runId } = await api<{ runId: string }>(a.url, '/api/runs', {
      method: 'POST',
      body: { rounds: 4, minClients: 2, localEpochs: 60, learningRate: 1e-3, roundDeadlineMs: 120_000 },
    });
    // Paused until all four are ready, so that round 1 has every one of them.
    await api(a.url, `/api/runs/${runId}/pause`, { method: 'POST' });
    const onA = [volunteer(a, runId), volunteer(a, runId)];
    const onB = [volunteer(b, runId), volunteer(b, runId)];
    await waitFor('four ready volunteers', async () => {
      const run = await api<RunView>(a.url, `/api/runs/${runId}`);
      return run.clients.filter((c) => c.ready).length === 4 ? true : undefined;
    });
    await api(b.url, `/api/runs/${runId}/resume`, { method: 'POST' });
    await waitFor('round 1 with all four', async () => {
      const metrics = await api<MetricsRow[]>(a.url, `/api/runs/${runId}/metrics`);
      return metrics.some((m) => m.round === 1 && m.participants.length === 4) ? true : undefined;
    });
    await stopProcess(b.child, 'SIGKILL');
    const finished = await waitFor('the run to finish without B', async () => {
      const run = await api<RunView>(a.url, `/api/runs/${runId}`);
      return run.state.status === 'finished' ? run : undefined;
    });
    const aIds = onA.map((c) => c.current.clientId!).sort();
    const bIds = onB.map((c) => c.current.clientId!);
    const metrics = await api<MetricsRow[]>(a.url, `/api/runs/${runId}/metrics`);
    expect(metrics.map((m) => m.round)).toEqual([0, 1, 2, 3, 4]);
    expect(metrics.at(-1)!.participants.sort()).toEqual(aIds);
    expect(finished.clients.filter((c) => bIds.includes(c.clientId)).every((c) => !c.connected)).toBe(true);
  });
  it('when Redis goes away, relayed volunteers get a refusal with the reason, and neither process dies', async () => {
    c = await startServerProcess({ modelDir: join(dir, 'model'), extra: ['--redis', redis.url], port: await freePort(), runsDir: join(dir, 'runs-c') });
    const { runId } = await api<{ runId: string }>(a.url, '/api/runs', { method: 'POST', body: { rounds: 3, minClients: 1, roundDeadlineMs: 120_000 } });
    const relayed = await RawVolunteer.connect(c.url);
    expect(await relayed.hello(runId)).toMatchObject({ ok: true, runId });
    relayed.ready(runId);
    const { round, weights } = await relayed.nextRound();

    await redis.stop();
    // Every relayed path at once: an upload, the fire-and-forget messages, a new volunteer's hello, and HTTP.
    relayed.socket.emit('progress', { runId, stage: 'train', done: 1, total: 10 });
    relayed.ready(runId);
    const ack = await relayed.upload(runId, round, weights, 10);
    expect(ack).toMatchObject({ accepted: false, reason: expect.stringMatching(/redis|relay|server process/i) });
    const newcomer = await RawVolunteer.connect(c.url);
    expect(await newcomer.hello(runId)).toMatchObject({ ok: false, message: expect.stringMatching(/redis|relay|server process/i) });
    const viaC = await fetch(`${c.url}/api/runs/${runId}`);
    expect(viaC.status).toBe(503);
    relayed.close();
    newcomer.close();

    await new Promise((r) => setTimeout(r, 2000));
    for (const p of [a, c]) {
      expect(p.child.exitCode, p.output()).toBeNull();
      expect((await fetch(`${p.url}/api/health`)).ok).toBe(true);
    }
    // The owner's own run is untouched.
    expect((await api<RunView>(a.url, `/api/runs/${runId}`)).state.status).not.toBe('paused');
  });
});
