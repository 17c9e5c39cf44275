import { appendFile, readdir, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { FederatedClient, type ClientSocket, type ClientStatus } from '@clipfed/client';
import { createNodePlatform, memoryFeatureCache } from '@clipfed/client/node';
import { runConfigSchema, type RunConfigInput } from '@clipfed/protocol';
import type { FederatedServer } from '../../apps/server/src/server';
import type { FederatedRun } from '../../apps/server/src/runs/federated-run';
import { FIXTURE_OPERATOR_TOKEN, startFixtureServer, type FixtureServer } from './fixture-server';
import { RawVolunteer } from './raw-volunteer';
import { startServerProcess, stopProcess, type ServerProcess } from './server-process';

// Every server here runs on the fixture's model; each test starts its own, on a runs folder of its own.
let fixture: FixtureServer;
let model: ReturnType<typeof loadClipModelFromDir>;
const featureCache = memoryFeatureCache();
const sockets: Socket[] = [];
let child: ServerProcess | null = null;

beforeAll(async () => {
  fixture = await startFixtureServer();
  model = loadClipModelFromDir(fixture.modelDir);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  if (child) await stopProcess(child.child, 'SIGKILL');
  await fixture?.close();
  await (await model)?.dispose();
});

/** A server in this process on the fixture's model and `runsDir`; the fixture closes it at the end. */
const inProcessServer = (runsDir: string): Promise<FederatedServer> => fixture.startAnother({ runsDir });

function nodeClient(server: FederatedServer, run: FederatedRun, onStatus?: (s: ClientStatus) => void) {
  const socket: ClientSocket = io(server.url, { transports: ['websocket'] });
  sockets.push(socket);
  return new FederatedClient(
    socket,
    createNodePlatform({ serverUrl: server.url, modelDir: fixture.modelDir, tfBackend: 'wasm', sharedModel: model, featureCache }),
    { runId: run.id, onStatus },
  );
}

const finished = (run: FederatedRun) => (run.status === 'finished' ? Promise.resolve() : new Promise<void>((r) => run.once('finished', () => r())));

async function metricsRounds(runsDir: string, runId: string): Promise<number[]> {
  const text = await readFile(join(runsDir, runId, 'metrics.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { round: number }).round);
}

describe('a full disk', { timeout: 300_000 }, () => {
  it('pauses only the run that could not write, says why to its tab, and resumes without a gap once writing works', async () => {
    const runsDir = join(fixture.dir, 'runs-full');
    const server = await inProcessServer(runsDir);
    const config: RunConfigInput = { rounds: 2, minClients: 1, roundDeadlineMs: 60_000 };
    const full = await server.registry.create(runConfigSchema.parse(config));
    const healthy = await server.registry.create(runConfigSchema.parse(config));
    // Every append to this run's metrics now fails with ENOSPC, as on a full disk.
    const metricsFile = join(runsDir, full.id, 'metrics.jsonl');
    await unlink(metricsFile);
    await symlink('/dev/full', metricsFile);

    const messages: string[] = [];
    nodeClient(server, full, (s) => messages.at(-1) !== s.message && messages.push(s.message));
    nodeClient(server, healthy);

    await expect.poll(() => full.status, { timeout: 120_000 }).toBe('paused');
    expect(full.pauseReason).toMatch(/ENOSPC|no space/i);
    await expect.poll(() => messages.at(-1), { timeout: 30_000 }).toMatch(/paused: .*(ENOSPC|no space)/i);
    // The other run and the process carry on.
    await finished(healthy);
    expect((await fetch(`${server.url}/api/health`)).ok).toBe(true);
    expect(await metricsRounds(runsDir, healthy.id)).toEqual([0, 1, 2]);

    // Space is back: the operator resumes, and the run writes what it could not and finishes.
    await unlink(metricsFile);
    const resumed = await fetch(`${server.url}/api/runs/${full.id}/resume`, { method: 'POST', headers: { authorization: `Bearer ${FIXTURE_OPERATOR_TOKEN}` } });
    expect(resumed.status).toBe(200);
    await finished(full);
    expect(await metricsRounds(runsDir, full.id)).toEqual([0, 1, 2]);
    expect((await readdir(join(runsDir, full.id))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
  it('a write that fails in the last round pauses the run, and resuming finishes it instead of leaving it running forever', async () => {
    const runsDir = join(fixture.dir, 'runs-full-last');
    const server = await inProcessServer(runsDir);
    const run = await server.registry.create(runConfigSchema.parse({ rounds: 1, minClients: 1, roundDeadlineMs: 60_000 }));
    const metricsFile = join(runsDir, run.id, 'metrics.jsonl');
    await unlink(metricsFile);
    await symlink('/dev/full', metricsFile);
    nodeClient(server, run);

    await expect.poll(() => run.status, { timeout: 120_000 }).toBe('paused');
    expect(run.pauseReason).toMatch(/ENOSPC|no space/i);

    await unlink(metricsFile);
    const resumed = await fetch(`${server.url}/api/runs/${run.id}/resume`, { method: 'POST', headers: { authorization: `Bearer ${FIXTURE_OPERATOR_TOKEN}` } });
    expect(resumed.status).toBe(200);
    await expect.poll(() => run.status, { timeout: 30_000 }).toBe('finished');
    expect(await metricsRounds(runsDir, run.id)).toEqual([0, 1]);
    const listed = (await (await fetch(`${server.url}/api/runs`)).json()) as { runId: string; status: string }[];
    expect(listed.find((r) => r.runId === run.id)?.status).toBe('finished');
  });
});

describe('damaged run folders found at start', { timeout: 300_000 }, () => {
  it('a torn last metrics line is dropped and logged, stale temporary files go, and any other damage is listed as damaged, never dropped', async () => {
    const runsDir = join(fixture.dir, 'runs-damaged');
    const first = await inProcessServer(runsDir);
    const config = runConfigSchema.parse({ rounds: 3, minClients: 5 });
    const [torn, garbage, emptied, noCheckpoint] = [
      await first.registry.create(config),
      await first.registry.create(config),
      await first.registry.create(config),
      await first.registry.create(config),
    ];
    await first.close();

    const folder = (run: FederatedRun) => join(runsDir, run.id);
    await appendFile(join(folder(torn), 'metrics.jsonl'), '{"runId":"x","round":1,"accur');
    await writeFile(join(folder(torn), 'checkpoint.bin.4242.1700000000000.tmp'), 'half a checkpoint');
    const goodLine = await readFile(join(folder(garbage), 'metrics.jsonl'), 'utf8');
    await writeFile(join(folder(garbage), 'metrics.jsonl'), `not json at all\n${goodLine}`);
    await writeFile(join(folder(emptied), 'metrics.jsonl'), '');
    await unlink(join(folder(noCheckpoint), 'checkpoint.bin'));

    const port = 19_000 + Math.floor(Math.random() * 1000);
    child = await startServerProcess({ port, modelDir: fixture.modelDir, runsDir });
    const runs = (await (await fetch(`${child.url}/api/runs`)).json()) as { runId: string; status: string; problem?: string; round?: number }[];
    const byId = new Map(runs.map((r) => [r.runId, r]));

    expect(byId.get(torn.id)).toMatchObject({ status: 'waiting', round: 0 });
    expect(child.output()).toMatch(/cut short[\s\S]*dropped it/);
    expect((await readdir(folder(torn))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await readFile(join(folder(torn), 'metrics.jsonl'), 'utf8')).not.toContain('"round":1');

    expect(byId.get(garbage.id)).toMatchObject({ status: 'damaged', problem: expect.stringMatching(/metrics\.jsonl: line 1 is not a metrics row/) });
    expect(byId.get(emptied.id)).toMatchObject({ status: 'damaged', problem: expect.stringMatching(/metrics\.jsonl: .*lack round 0/) });
    expect(byId.get(noCheckpoint.id)).toMatchObject({ status: 'damaged', problem: expect.stringMatching(/checkpoint\.bin: is missing/) });
    expect(child.output()).toMatch(/run folder is damaged/);

    // A volunteer on the old link is told why, not "no such run"; the run's own URL says damaged.
    const volunteer = await RawVolunteer.connect(child.url);
    sockets.push(volunteer.socket);
    const welcome = await volunteer.hello(garbage.id);
    expect(welcome).toMatchObject({ ok: false, code: 'run-not-found', message: expect.stringMatching(/could not be restored .*metrics\.jsonl/) });
    const one = await fetch(`${child.url}/api/runs/${emptied.id}`);
    expect(one.status).toBe(409);
    expect(await one.json()).toMatchObject({ status: 'damaged' });
    // Nothing on disk was touched.
    expect(await readFile(join(folder(emptied), 'metrics.jsonl'), 'utf8')).toBe('');
  });
});
