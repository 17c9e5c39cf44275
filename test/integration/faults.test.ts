import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { FederatedClient, type AdapterTrainer, type ClientSocket, type ClientStatus } from '@clipfed/client';
import { createNodePlatform, inlineTrainer, memoryFeatureCache } from '@clipfed/client/node';
import { decodeTensors, encodeTensors } from '@clipfed/protocol';
import { maxUpdateBytesFor, type FederatedServer, type FederatedRun } from '@clipfed/server';
import { FIXTURE_EMBED_DIM, startFixtureServer, type FixtureServer } from './fixture-server';
import { RawVolunteer } from './raw-volunteer';

let fixture: FixtureServer;
let server: FederatedServer;
let model: ReturnType<typeof loadClipModelFromDir>;
const featureCache = memoryFeatureCache();
const sockets: Socket[] = [];

beforeAll(async () => {
  fixture = await startFixtureServer({ operatorToken: 'right-token' });
  server = fixture.server;
  model = loadClipModelFromDir(fixture.modelDir);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await fixture?.close();
  await (await model)?.dispose();
});

function nodeClient(run: FederatedRun, opts: { trainer?: AdapterTrainer; onStatus?: (s: ClientStatus) => void } = {}) {
  const socket: ClientSocket = io(server.url, { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500 });
  sockets.push(socket);
  const client = new FederatedClient(
    socket,
    createNodePlatform({ serverUrl: server.url, modelDir: fixture.modelDir, tfBackend: 'wasm', sharedModel: model, featureCache, trainer: opts.trainer }),
    { runId: run.id, onStatus: opts.onStatus },
  );
  return { socket, client };
}

const finished = (run: FederatedRun) =>
  run.status === 'finished' ? Promise.resolve() : new Promise<void>((r) => run.once('finished', () => r()));

async function rawClient(): Promise<RawVolunteer> {
  const volunteer = await RawVolunteer.connect(server.url);
  sockets.push(volunteer.socket);
  return volunteer;
}

describe('faults a real volunteer crowd produces', { timeout: 300_000 }, () => {
  it('a tab closed mid-round and a slow tab past the deadline: the round closes with the rest, neither counts', async () => {
    const run = await fixture.createRun({ rounds: 1, minClients: 3, roundDeadlineMs: 4_000, minCompletionRate: 0.3 });
    const statuses = new Map<string, ClientStatus>();
    const slow: AdapterTrainer = {
      async train(req, p) {
        await new Promise((r) => setTimeout(r, 7_000));
        return inlineTrainer.train(req, p);
      },
    };
    let quitter: ClientSocket | undefined;
    const leaving: AdapterTrainer = {
      async train(req, p) {
        quitter!.disconnect(); // the tab is closed while it trains
        return inlineTrainer.train(req, p);
      },
    };
    const honest = nodeClient(run);
    const late = nodeClient(run, { trainer: slow, onStatus: (s) => statuses.set('late', s) });
    quitter = nodeClient(run, { trainer: leaving }).socket;
    await finished(run);
    const row = run.metrics.at(-1) as { round: number; participants: string[]; selected: number };
    expect(row.round).toBe(1);
    expect(row.selected).toBe(3);
    expect(row.participants).toEqual([honest.client.current.clientId]);
    // The slow tab's upload arrives after the round closed and is refused with a reason.
    await expect.poll(() => statuses.get('late')?.message ?? '', { timeout: 20_000 }).toMatch(/refused|finished|all rounds done/);
    expect(late.client.current.contributed.rounds).toBe(0);
  });

  it('a network cut: the client reconnects by itself under the same id and finishes the run', async () => {
    const run = await fixture.createRun({ rounds: 3, minClients: 1, roundDeadlineMs: 30_000 });
    let cut = false;
    const stepTotals = new Set<number>();
    const { socket, client } = nodeClient(run, {
      onStatus: (s) => {
        if (s.stage === 'training' && s.progress) stepTotals.add(s.progress.total);
        if (!cut && s.stage === 'training' && s.round === 1) {
          cut = true;
          socket.io.engine.close(); // drops the transport, as a Wi-Fi loss would
        }
      },
    });
    const idBefore = await new Promise<string>((r) => {
      const t = setInterval(() => client.current.clientId && (clearInterval(t), r(client.current.clientId)), 20);
    });
    await finished(run);
    expect(cut).toBe(true);
    expect(client.current.clientId).toBe(idBefore);
    expect(run.metrics.map((m) => m.round)).toEqual([0, 1, 2, 3]);
    expect(run.clientSummaries()).toHaveLength(1);
    // The progress bar counts the round's real steps from its start, never a placeholder "0 / 1".
    expect([...stepTotals]).toHaveLength(1);
    expect([...stepTotals][0]).toBeGreaterThan(1);
  });

  it('a connection lost during training: the tab says its round was not sent, sends nothing to be refused, and goes on', async () => {
    const run = await fixture.createRun({ rounds: 3, minClients: 1, roundDeadlineMs: 30_000 });
    const messages: string[] = [];
    const errors: string[] = [];
    let cut = false;
    const cutting: AdapterTrainer = {
      async train(req, p) {
        if (!cut) {
          cut = true;
          // Training ends while the network is still away: the tab reconnects only after a second.
          socket.io.reconnectionDelay(1_000).reconnectionDelayMax(1_000);
          socket.io.engine.close();
          await new Promise((r) => setTimeout(r, 300));
        }
        return inlineTrainer.train(req, p);
      },
    };
    const { socket, client } = nodeClient(run, {
      trainer: cutting,
      onStatus: (s) => {
        if (messages.at(-1) !== s.message) messages.push(s.message);
        if (s.lastError && errors.at(-1) !== s.lastError) errors.push(s.lastError);
      },
    });
    await finished(run);
    expect(cut).toBe(true);
    expect(messages).toContain('round 1 was trained but not sent: the connection dropped meanwhile; reconnecting');
    expect(errors).toEqual([]);
    expect(run.metrics.map((m) => m.round)).toEqual([0, 1, 2, 3]);
    await expect.poll(() => client.current.contributed.rounds).toBe(3);
  });

  it('a huge-norm update is refused with the norm named; an oversized message only costs its sender the connection', async () => {
    const run = await fixture.createRun({ rounds: 1, minClients: 1, roundDeadlineMs: 60_000, maxUpdateNorm: 5 });
    const raw = await rawClient();
    const { socket, errors } = raw;
    const round = await raw.joinRound(run.id);
    const weights = decodeTensors(round.weights).map((t) => ({ ...t, data: t.data.map((v) => v + 100) }));
    const metrics = { loss: 1, trainAccuracy: 0.5, trainMs: 1, steps: 1 };
    const ack = await socket.emitWithAck('update', { runId: run.id, round: round.round, numSamples: 10, metrics, weights: encodeTensors(weights) });
    expect(ack).toMatchObject({ accepted: false, code: 'bad-update' });
    expect(errors.at(-1)?.message).toMatch(/moves the adapter by .* above the run's bound of 5/);

    const disconnected = new Promise<string>((r) => socket.once('disconnect', r));
    // One float past the transport's limit for this model: the limit grows with the largest registered client model.
    const floats = Math.ceil(maxUpdateBytesFor(FIXTURE_EMBED_DIM) / 4) + 1;
    const huge = [{ name: 'w1', shape: [1, floats], dtype: 'float32' as const, bytes: new Uint8Array(4 * floats) }];
    socket.emit('update', { runId: run.id, round: round.round, numSamples: 10, metrics, weights: huge }, () => undefined);
    expect(await disconnected).toMatch(/transport close|transport error/);
    expect(run.status).toBe('running');
    expect((await fetch(`${server.url}/api/health`)).ok).toBe(true);
  });

  it('a message flood is rate limited and the server stays responsive', async () => {
    const run = await fixture.createRun({ rounds: 1, minClients: 5, roundDeadlineMs: 60_000 });
    const raw = await rawClient();
    await raw.welcomed(run.id);
    const { socket, errors } = raw;
    for (let i = 0; i < 300; i++) socket.emit('progress', { runId: run.id, stage: 'encode', done: i, total: 300 });
    await expect.poll(() => errors.filter((e) => e.code === 'rate-limited').length).toBeGreaterThan(100);
    const t0 = performance.now();
    expect((await fetch(`${server.url}/api/health`)).ok).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('operator calls without the token get 401, with a wrong one 403', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer wrong-token' })).status).toBe(403);
    const run = server.registry.list()[0];
    expect((await fetch(`${server.url}/api/runs/${run.id}/pause`, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(403);
    expect((await post({ authorization: 'Bearer right-token' })).status).toBe(201);
  });

  it('a run config, run id or round the route schemas refuse gets 400 and the reason, over HTTP', async () => {
    const operator = { authorization: 'Bearer right-token', 'content-type': 'application/json' };
    const bad = await fetch(`${server.url}/api/runs`, { method: 'POST', headers: operator, body: JSON.stringify({ rounds: 0, clientFraction: 2 }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'invalid run config: rounds: Too small: expected number to be >=1; clientFraction: Too big: expected number to be <=1',
    });
    const longId = await fetch(`${server.url}/api/runs/${'x'.repeat(65)}/metrics`);
    expect(longId.status).toBe(400);
    expect(await longId.json()).toEqual({ error: 'invalid path: runId: Too big: expected string to have <=64 characters' });
    const run = server.registry.list()[0];
    const round = await fetch(`${server.url}/api/runs/${run.id}/rounds/first/aggregation`);
    expect(round.status).toBe(400);
    expect(await round.json()).toEqual({ error: 'invalid path: round: Invalid input: expected number, received NaN' });
  });
});

