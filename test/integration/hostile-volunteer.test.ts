import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { RunConfigInput } from '@clipfed/protocol';
import type { FederatedServer } from '../../apps/server/src/server';
import { startFixtureServer, type FixtureServer } from './fixture-server';
import { RawVolunteer, shifted } from './raw-volunteer';

let fixture: FixtureServer;
let server: FederatedServer;
const volunteers: RawVolunteer[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  fixture = await startFixtureServer({ allowedHosts: ['clipfed.example.org'] });
  server = fixture.server;
});

afterAll(async () => {
  for (const v of volunteers) v.close();
  for (const s of sockets) s.disconnect();
  await fixture?.close();
});

const createRun = (config: RunConfigInput) => fixture.createRun(config);
const port = () => new URL(server.url).port;

async function volunteer(opts: { extraHeaders?: Record<string, string> } = {}): Promise<RawVolunteer> {
  const v = await RawVolunteer.connect(server.url, opts);
  volunteers.push(v);
  return v;
}

/** A plain HTTP GET with a chosen Host header (fetch does not let a caller set Host). */
function getWithHost(path: string, host: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: port(), path, headers: { host } }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}

describe('smaller gaps a hostile volunteer or page could use', { timeout: 300_000 }, () => {
  it('a flood of dashboard watch requests is rate limited: a few snapshots, then refusals, and the server stays responsive', async () => {
    const run = await createRun({ rounds: 1, minClients: 5 });
    const dashboard: Socket = io(`${server.url}/dashboard`, { transports: ['websocket'], reconnection: false });
    sockets.push(dashboard);
    await new Promise((r) => dashboard.once('connect', () => r(undefined)));
    const replies = await Promise.all(
      Array.from({ length: 2000 }, () => dashboard.emitWithAck('watch', run.id) as Promise<{ ok: boolean; message?: string; snapshot?: unknown }>),
    );
    const snapshots = replies.filter((r) => r.ok).length;
    expect(snapshots).toBeGreaterThan(0);
    expect(snapshots).toBeLessThan(100);
    expect(replies.find((r) => !r.ok)?.message).toMatch(/rate-limited/);
    expect((await fetch(`${server.url}/api/health`)).ok).toBe(true);
  });

  it('DNS rebinding: HTTP and websockets for a host name that is not the server are refused; IPs, localhost and listed names work', async () => {
    expect(await getWithHost('/api/health', `attacker.example:${port()}`)).toBe(421);
    expect(await getWithHost('/api/health', `127.0.0.1:${port()}`)).toBe(200);
    expect(await getWithHost('/api/health', `localhost:${port()}`)).toBe(200);
    expect(await getWithHost('/api/health', `clipfed.example.org`)).toBe(200);
    // Same Origin and Host, both the attacker's name: what a rebound page sends.
    const rebound = { host: `attacker.example:${port()}`, origin: `http://attacker.example:${port()}` };
    await expect(volunteer({ extraHeaders: rebound })).rejects.toThrow();
    await expect(volunteer({ extraHeaders: { origin: `http://localhost:${port()}` } })).resolves.toBeInstanceOf(RawVolunteer);
  });

  it('the origin check compares the scheme: an https page may not open a socket to a server it reached over http', async () => {
    await expect(volunteer({ extraHeaders: { origin: `https://localhost:${port()}` } })).rejects.toThrow();
    await expect(volunteer({ extraHeaders: { origin: `http://localhost:${port()}` } })).resolves.toBeInstanceOf(RawVolunteer);
  });

  it('a trimmed mean over four uploads trims the outlier instead of silently averaging it in', async () => {
    const run = await createRun({ rounds: 1, minClients: 4, aggregation: 'trimmed-mean', roundDeadlineMs: 60_000 });
    const crowd = await Promise.all(Array.from({ length: 4 }, () => volunteer()));
    for (const v of crowd) expect((await v.hello(run.id)).ok).toBe(true);
    const rounds = crowd.map((v) => v.nextRound());
    for (const v of crowd) v.ready(run.id);
    const started = await Promise.all(rounds);
    const start = started[0].weights;
    const finished = new Promise((r) => run.once('finished', r));
    // The outlier moves every coordinate as far as the default norm bound (4 x the adapter's norm) lets it, nearly.
    const values = start.flatMap((t) => Array.from(t.data));
    const outlier = (0.9 * 4 * Math.hypot(...values)) / Math.sqrt(values.length);
    for (const [i, v] of crowd.entries()) {
      const ack = await v.upload(run.id, started[i].round, shifted(start, i === 3 ? outlier : 0.01), 10);
      expect(ack).toEqual({ accepted: true });
    }
    await finished;
    // Three honest uploads moved every coordinate by 0.01 and one much further: a plain mean would move it by a
    // quarter of that; the trimmed mean drops it.
    expect(outlier).toBeGreaterThan(0.1);
    const moved = run.global[0].data[0] - start[0].data[0];
    expect(moved).toBeCloseTo(0.01, 5);
  });

  it('tabs are told how many more volunteers a run needs, not that it is running', async () => {
    const run = await createRun({ rounds: 1, minClients: 3 });
    const v = await volunteer();
    expect((await v.hello(run.id)).ok).toBe(true);
    v.ready(run.id);
    await expect.poll(() => v.states.at(-1)?.waitingForClients).toBe(2);
    const second = await volunteer();
    expect((await second.hello(run.id)).ok).toBe(true);
    second.ready(run.id);
    await expect.poll(() => second.states.at(-1)?.waitingForClients).toBe(1);
  });
});

describe('a stalled connection at shutdown', { timeout: 60_000 }, () => {
  it('cannot hold the server open: a half-sent request is cut after the grace period', async () => {
    const own = await startFixtureServer();
    const stalled = connect(Number(new URL(own.server.url).port), '127.0.0.1');
    stalled.on('error', () => undefined);
    await new Promise((r) => stalled.once('connect', r));
    // Headers never finished: without a cut, the server's close waits for this request (Node's default: 5 minutes).
    stalled.write('GET /api/health HTTP/1.1\r\nHost: localhost\r\n');
    const closed = own.close().then(() => 'closed');
    const outcome = await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open after 15 s'), 15_000))]);
    expect(outcome).toBe('closed');
    expect(stalled.destroyed || stalled.readableEnded).toBe(true);
  });
});
