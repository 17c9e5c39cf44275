import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import type { DashboardClientEvents, DashboardServerEvents, RoundProgress, RunListEntry } from '@clipfed/protocol';
import { attachDashboardNamespace, type DashboardNamespace } from './dashboard-namespace';
import { makeTestRun } from './dashboard-run.fixture';

let http: HttpServer;
let io: Server;
let dashboard: DashboardNamespace;
let socket: Socket<DashboardServerEvents, DashboardClientEvents>;
let fixture: Awaited<ReturnType<typeof makeTestRun>>;
const lists: RunListEntry[][] = [];
const progress: (RoundProgress | null)[] = [];
const metricRounds: number[] = [];
let clientIds: string[] = [];

beforeAll(async () => {
  fixture = await makeTestRun({ rounds: 2, minClients: 2, roundDeadlineMs: 60_000 });
  http = createServer();
  io = new Server(http, { transports: ['websocket'] });
  dashboard = attachDashboardNamespace(io, fixture.registry, { pollMs: 50, flushMs: 100, log: { warn: () => undefined } });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  socket = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}/dashboard`, { transports: ['websocket'] });
  socket.on('runs', (l) => lists.push(l));
  socket.on('run:progress', (m) => progress.push(m.progress));
  socket.on('run:metrics', (m) => metricRounds.push(m.row.round));
});

afterAll(async () => {
  socket?.disconnect();
  dashboard?.close();
  await new Promise<void>((r) => void io.close(() => r()));
  await fixture?.cleanup();
});

describe('the /dashboard namespace', () => {
  it('sends the run list on connect', async () => {
    await expect.poll(() => lists.length).toBeGreaterThan(0);
    expect(lists[0]).toMatchObject([{ runId: fixture.run.id, status: 'waiting', round: 0, totalRounds: 2, minClients: 2, zeroShotAccuracy: 0.5 }]);
  });

  it('answers a watch with a snapshot that holds round 0', async () => {
    const reply = await socket.emitWithAck('watch', fixture.run.id);
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(reply.snapshot.metrics.map((r) => r.round)).toEqual([0]);
    expect(reply.snapshot.config.rounds).toBe(2);
    expect(reply.snapshot.progress).toBeNull();
    expect(Math.abs(reply.snapshot.serverNow - Date.now())).toBeLessThan(1000);
  });

  it('refuses to watch a run that does not exist, saying which', async () => {
    expect(await socket.emitWithAck('watch', 'no-such-run')).toEqual({ ok: false, message: 'no run no-such-run' });
    expect(await socket.emitWithAck('watch', 42 as unknown as string)).toMatchObject({ ok: false });
  });

  it('pushes the selection and deadline when a round opens', async () => {
    const before = Date.now();
    clientIds = [fixture.joinReadyClient(), fixture.joinReadyClient()];
    await expect.poll(() => progress.at(-1)?.selected.length).toBe(2);
    const p = progress.at(-1)!;
    expect(p.round).toBe(1);
    expect([...p.selected].sort()).toEqual([...clientIds].sort());
    expect(p.reported).toEqual([]);
    expect(p.deadlineAt! - before).toBeGreaterThanOrEqual(60_000);
    expect(p.deadlineAt! - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('pushes who reported, then the round metrics when the round closes', async () => {
    expect(fixture.upload(clientIds[0], 1)).toEqual({ accepted: true });
    await expect.poll(() => progress.at(-1)?.reported).toEqual([clientIds[0]]);
    expect(fixture.upload(clientIds[1], 1)).toEqual({ accepted: true });
    await expect.poll(() => metricRounds).toContain(1);
    // The next round opens at once (both clients are ready again), with nobody reported yet.
    await expect.poll(() => progress.at(-1)?.round).toBe(2);
    expect(progress.at(-1)?.reported).toEqual([]);
    // Round 1's closing was pushed on its own, though round 2 opened in the same moment.
    expect(progress[progress.findIndex((p) => p?.round === 2) - 1]).toBeNull();
  });

  it('keeps the run list current', async () => {
    await expect.poll(() => lists.at(-1)?.[0]).toMatchObject({ status: 'running', connectedClients: 2, lastAccuracy: 0.51 });
  });
});
