import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { writeFixtureClipModel } from '@clipfed/clip/testing';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { FederatedClient, type ClientSocket } from '@clipfed/client';
import { createNodePlatform } from '@clipfed/client/node';
import { initNodeTfBackend } from '@clipfed/fl';
import { api, startServerProcess, stopProcess, waitFor as waitForProbe, type ServerProcess } from './server-process';

interface RunView {
  state: { status: string; round: number; message?: string };
  clients: { clientId: string; connected: boolean; roundsContributed: number }[];
}

let dir: string;
const port = 18_000 + Math.floor(Math.random() * 1000);
const sockets: ClientSocket[] = [];
const clients: FederatedClient[] = [];
/** Resolves as soon as a simulated client starts training the given round (no polling: rounds are short). */
function roundStarted(): { onStatus: (s: { stage: string; round?: number }) => void; when: (round: number) => Promise<void> } {
  const waiters = new Map<number, () => void>();
  const seen = new Set<number>();
  return {
    onStatus: (s) => {
      if (s.stage !== 'training' || s.round === undefined || seen.has(s.round)) return;
      seen.add(s.round);
      waiters.get(s.round)?.();
    },
    when: (round) => (seen.has(round) ? Promise.resolve() : new Promise((r) => waiters.set(round, r))),
  };
}
let server: ServerProcess | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipfed-resume-'));
  await writeFixtureClipModel(join(dir, 'model'), { embedDim: 16, imageSize: 32 });
  await initNodeTfBackend(['wasm', 'cpu'], () => undefined);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  if (server) await stopProcess(server.child, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 300_000) =>
  waitForProbe(what, probe, { timeoutMs, context: () => server?.output() ?? '' });

async function metricsRounds(runId: string): Promise<number[]> {
  const text = await readFile(join(dir, 'runs', runId, 'metrics.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { round: number }).round);
}

describe('a server killed mid-round', { timeout: 600_000 }, () => {
  it('resumes from the last completed round; metrics have no gap or duplicate; clients reconnect and finish', async () => {
    server = await startServerProcess({ port, modelDir: join(dir, 'model'), runsDir: join(dir, 'runs') });
    // Many local epochs on tiny features keep each round open long enough to be killed inside it.
    const { runId } = await api<{ runId: string }>(server.url, '/api/runs', {
      method: 'POST',
      body: { rounds: 5, minClients: 2, localEpochs: 100, learningRate: 1e-3, roundDeadlineMs: 120_000 },
    });
    const sharedModel = loadClipModelFromDir(join(dir, 'model'));
    const started = roundStarted();
    for (let i = 0; i < 2; i++) {
      const socket: ClientSocket = io(server.url, { transports: ['websocket'], reconnectionDelay: 200, reconnectionDelayMax: 1000 });
      sockets.push(socket);
      clients.push(
        new FederatedClient(socket, createNodePlatform({ serverUrl: server.url, modelDir: join(dir, 'model'), tfBackend: 'wasm', sharedModel }), {
          runId,
          onStatus: started.onStatus,
        }),
      );
    }

    // Kill while round 3 is open: rounds 0-2 are on disk, round 3 is not.
    await started.when(3);
    const idsBefore = clients.map((c) => c.current.clientId).sort();
    await stopProcess(server.child, 'SIGKILL');
    expect(await metricsRounds(runId)).toEqual([0, 1, 2]);

    server = await startServerProcess({ port, modelDir: join(dir, 'model'), runsDir: join(dir, 'runs') });
    const resumed = await api<RunView>(server.url, `/api/runs/${runId}`);
    expect(resumed.state.round).toBeGreaterThanOrEqual(2);

    const finished = await waitFor('the resumed run to finish', async () => {
      const run = await api<RunView>(server!.url, `/api/runs/${runId}`);
      return run.state.status === 'finished' ? run : undefined;
    });
    expect(await metricsRounds(runId)).toEqual([0, 1, 2, 3, 4, 5]);
    // The same clients carried on under their old identities (and shards).
    expect(finished.clients.map((c) => c.clientId).sort()).toEqual(idsBefore);
    expect(finished.clients.every((c) => c.connected && c.roundsContributed >= 3)).toBe(true);
  });

  it('on SIGTERM abandons the open round, tells the clients why, exits 0 and resumes on the next start', async () => {
    const { runId } = await api<{ runId: string }>(server!.url, '/api/runs', {
      method: 'POST',
      body: { rounds: 3, minClients: 2, localEpochs: 100, learningRate: 1e-3, roundDeadlineMs: 120_000 },
    });
    const messages: string[] = [];
    const started = roundStarted();
    const sharedModel = loadClipModelFromDir(join(dir, 'model'));
    for (let i = 0; i < 2; i++) {
      const socket: ClientSocket = io(server!.url, { transports: ['websocket'], reconnectionDelay: 200, reconnectionDelayMax: 1000 });
      sockets.push(socket);
      socket.on('run:state', (s) => s.message && messages.push(s.message));
      new FederatedClient(socket, createNodePlatform({ serverUrl: server!.url, modelDir: join(dir, 'model'), tfBackend: 'wasm', sharedModel }), {
        runId,
        onStatus: started.onStatus,
      });
    }
    await started.when(2);
    expect(await stopProcess(server!.child, 'SIGTERM')).toBe(0);
    expect(messages.some((m) => /shutting down/.test(m))).toBe(true);
    expect(await metricsRounds(runId)).toEqual([0, 1]);

    server = await startServerProcess({ port, modelDir: join(dir, 'model'), runsDir: join(dir, 'runs') });
    await waitFor('the resumed run to finish', async () => {
      const run = await api<RunView>(server!.url, `/api/runs/${runId}`);
      return run.state.status === 'finished' ? run : undefined;
    });
    expect(await metricsRounds(runId)).toEqual([0, 1, 2, 3]);
  });
});
