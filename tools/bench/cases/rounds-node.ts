import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { runConfigSchema } from '@clipfed/protocol';
import { table, type BenchCase } from '../lib/bench-case';
import { roundBenchModel } from '../lib/bench-model';
import { memoizedModel, replayTrainer, sharedFeatureCache, startSimClients } from '../lib/sim-clients';
import { startSimServer, type RoundReport } from '../lib/sim-server';
import { fmt, fmtSummary, summarize } from '../lib/stats';

const SIZES = [10, 100, 1000] as const;
const ROUNDS: Record<number, number> = { 10: 4, 100: 3, 1000: 2 };

interface SizeResult {
  clients: number;
  joinSeconds: number;
  rounds: RoundReport[];
  clientSocketBytes: { sent: number; received: number };
  lostConnections: number;
}

export const roundsNodeCase: BenchCase = {
  id: 'rounds-node',
  title: 'Round latency with simulated Node clients (server and socket cost)',
  expectedSeconds: 150,
  async run(ctx) {
    const model = await roundBenchModel(ctx.root, ctx.cacheDir);
    // One model, one feature cache and one set of prompt embeddings for every run of this case.
    const sharedModel = loadClipModelFromDir(model.dir).then(memoizedModel);
    const featureCache = sharedFeatureCache();
    const results: SizeResult[] = [];
    const dtype = runConfigSchema.parse({}).updateDtype;
    const work = SIZES.reduce((s, n) => s + n, 0);
    let done = 0;
    const runsDir = await mkdtemp(join(tmpdir(), 'clipfed-bench-runs-'));
    const server = await startSimServer(ctx.root, { modelDir: model.dir, runsDir, cacheDir: join(ctx.root, '.cache') });
    const startRss = server.startRssBytes;
    try {
      for (const n of SIZES) {
        // A client that misses a heartbeat reconnects; the deadline bounds what one lost upload can cost a round.
        const run = await server.createRun({ name: `bench ${n} clients`, rounds: ROUNDS[n], minClients: n, maxClientsPerRound: n, roundDeadlineMs: 120_000, seed: 1 });
        const t0 = performance.now();
        let joinSeconds = 0;
        run.onRound((r) => {
          if (r.round === 1) joinSeconds = (performance.now() - t0 - r.roundMs) / 1000;
          ctx.progress((done + (n * r.round) / ROUNDS[n]) / work);
        });
        const sim = startSimClients({ url: server.url, runId: run.runId, count: n, model: sharedModel, trainer: replayTrainer, shareShards: true, featureCache });
        try {
          await run.finished;
          results.push({ clients: n, joinSeconds, rounds: [...run.rounds], clientSocketBytes: sim.socketBytes(), lostConnections: sim.lostConnections() });
        } finally {
          sim.close();
        }
        done += n;
        ctx.progress(done / work);
      }
    } finally {
      await server.stop();
      await rm(runsDir, { recursive: true, force: true });
      await (await sharedModel).dispose();
    }
    const MiB = 2 ** 20;
    const rows = results.map((r) => {
      const latency = summarize(r.rounds.map((x) => x.roundMs));
      const agg = summarize(r.rounds.map((x) => x.aggregateMs));
      const evalMs = summarize(r.rounds.map((x) => x.evalMs));
      const cpu = summarize(r.rounds.map((x) => x.cpuMs / 1000));
      const util = summarize(r.rounds.map((x) => x.cpuMs / x.wallMs));
      const peak = Math.max(...r.rounds.map((x) => x.peakRssBytes));
      const perClient = (r.rounds[0].bytesDown + r.rounds[0].bytesUp) / r.clients;
      const wire = (r.clientSocketBytes.sent + r.clientSocketBytes.received) / r.clients / r.rounds.length;
      return [
        String(r.clients),
        fmtSummary(latency, 'ms'),
        fmtSummary(agg, 'ms'),
        fmtSummary(evalMs, 'ms'),
        `${fmt(cpu.median)} s (${fmt(100 * util.median)} % of one core)`,
        `${fmt(peak / MiB)} MiB`,
        `${fmt(perClient / 1e6)} MB (${fmt(wire / 1e6)} MB on the wire)`,
        `${fmt(r.joinSeconds)} s`,
        `${Math.min(...r.rounds.map((x) => x.participants))} of ${r.clients} (${r.lostConnections} lost connections)`,
      ];
    });
    const markdown = [
      `One server process (its own Node process, measured from inside) with one FedCLIP run on ${model.label}; N simulated clients in the bench process connect through real websockets and run the real client code (\`FederatedClient\`: hello, shard download over HTTP, ready, round start, upload with acknowledgement). To measure the server and the sockets rather than training, the clients share one model and one feature cache (each shard is encoded once), and their "training" returns the received adapter moved by a fixed small step (one pass over its 525,312 parameters). Every round selects all N clients; updates travel as ${dtype} (the run default). Latency is the server's round time: from sending the round start to the last accepted upload; aggregation and held-out evaluation follow it. CPU and peak memory are the server process's, per round (peak RSS sampled every 20 ms); one server process serves the three sizes one after the other.`,
      '',
      table(['clients', 'round latency', 'aggregation', 'evaluation', 'server CPU per round', 'server peak memory', 'adapter bytes per client per round (down + up)', 'time to join (all ready)', 'uploads per round (fewest)'], rows),
      '',
      `The server process held ${fmt(startRss / MiB)} MiB after start (model, datasets, held-out features). Memory grows with the number of connections (socket buffers, one decoded upload in flight per client) but not with the number of uploads held: the streaming sum folds each upload as it arrives and keeps O(P). With 1,000 clients the round is bound by moving N × 2 adapters through the sockets of one process on a 2-core machine shared with the clients themselves.`,
    ].join('\n');
    return { markdown, data: { model: model.label, dtype, serverStartRssBytes: startRss, results } };
  },
};
