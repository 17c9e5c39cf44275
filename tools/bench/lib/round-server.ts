/**
 * A clipfed server in its own process for the round benchmarks, so that its CPU time and memory are its own.
 * Started by sim-server.ts with a JSON argument; talks to the parent over the IPC channel:
 *   → { type: 'ready', url, embedDim, rssBytes }
 *   ← { type: 'create', id, config }              → { type: 'created', id, runId } | { type: 'failed', id, message }
 *   → { type: 'round', runId, round, accuracy, heldOutAccuracy, roundMs, aggregateMs, evalMs, bytesUp, bytesDown,
 *       participants, cpuMs, wallMs, peakRssBytes, rssBytes }   (CPU, wall time and peak memory since the last round)
 *   → { type: 'finished', runId }
 *   ← { type: 'stop' }
 */
import { resolve } from 'node:path';
import { runConfigSchema, type RoundMetricsRow, type RunConfigInput } from '@clipfed/protocol';
import { startServer } from '@clipfed/server';

interface Args {
  modelDir: string;
  runsDir: string;
  cacheDir: string;
  /** The built volunteer page to serve (default apps/web/dist). */
  webDist?: string;
}

const args = JSON.parse(process.argv[2]) as Args;
const send = (m: object) => process.send?.(m);

const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  modelDir: args.modelDir,
  runsDir: args.runsDir,
  cacheDir: args.cacheDir,
  webDist: args.webDist ?? resolve(import.meta.dirname, '../../../apps/web/dist'),
  operatorToken: 'bench',
  logLevel: 'error',
});

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
let lastCpu = process.cpuUsage();
let lastAt = performance.now();

async function create(id: number, config: RunConfigInput): Promise<void> {
  const run = await server.registry.create(runConfigSchema.parse(config));
  run.on('metrics', (m: RoundMetricsRow) => {
    if (m.round === 0) return;
    const cpu = process.cpuUsage(lastCpu);
    const now = performance.now();
    send({
      type: 'round',
      runId: run.id,
      round: m.round,
      accuracy: m.accuracy,
      heldOutAccuracy: m.heldOutAccuracy,
      roundMs: m.roundMs,
      aggregateMs: m.aggregateMs,
      evalMs: m.evalMs,
      bytesUp: m.bytesUp,
      bytesDown: m.bytesDown,
      participants: m.participants.length,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: now - lastAt,
      peakRssBytes: peakRss,
      rssBytes: process.memoryUsage.rss(),
    });
    lastCpu = process.cpuUsage();
    lastAt = now;
    peakRss = process.memoryUsage.rss();
  });
  run.on('finished', () => send({ type: 'finished', runId: run.id }));
  // Measure each run from its own start, not from the previous run's last round.
  lastCpu = process.cpuUsage();
  lastAt = performance.now();
  peakRss = process.memoryUsage.rss();
  send({ type: 'created', id, runId: run.id });
}

async function onMessage(m: { type: string; id?: number; config?: RunConfigInput }): Promise<void> {
  if (m.type === 'create') {
    await create(m.id!, m.config!).catch((e: Error) => send({ type: 'failed', id: m.id, message: e.message }));
  } else if (m.type === 'stop') {
    clearInterval(sampler);
    await server.close();
    process.exit(0);
  }
}

process.on('message', (m: { type: string; id?: number; config?: RunConfigInput }) => {
  onMessage(m).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
});
send({ type: 'ready', url: server.url, embedDim: server.model.embedDim, rssBytes: process.memoryUsage.rss() });
