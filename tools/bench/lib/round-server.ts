/**
 * A clipfed server in its own process for the round benchmarks, so that its CPU time and memory are its own.
 * Started by sim-server.ts with a JSON argument; talks to the parent over the IPC channel:
 *   → { type: 'ready', url, runId, embedDim }
 *   → { type: 'round', round, roundMs, aggregateMs, evalMs, bytesUp, bytesDown, participants, cpuMs, wallMs, peakRssBytes, rssBytes }
 *   → { type: 'finished' }
 *   ← { type: 'stop' }
 */
import { resolve } from 'node:path';
import type { RunConfigInput } from '@clipfed/protocol';
import { runConfigSchema } from '@clipfed/protocol';
import { startServer } from '../../../apps/server/src/server';

interface Args {
  modelDir: string;
  runsDir: string;
  cacheDir: string;
  /** The built volunteer page to serve (default apps/web/dist). */
  webDist?: string;
  config: RunConfigInput;
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
const run = await server.registry.create(runConfigSchema.parse(args.config));

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
let lastCpu = process.cpuUsage();
let lastAt = performance.now();

run.on('metrics', (m: { round: number; roundMs?: number; aggregateMs?: number; evalMs?: number; bytesUp?: number; bytesDown?: number; participants: string[] }) => {
  if (m.round === 0) return;
  const cpu = process.cpuUsage(lastCpu);
  const now = performance.now();
  send({
    type: 'round',
    round: m.round,
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
run.on('finished', () => send({ type: 'finished' }));
process.on('message', async (m: { type: string }) => {
  if (m.type !== 'stop') return;
  clearInterval(sampler);
  await server.close();
  process.exit(0);
});
send({ type: 'ready', url: server.url, runId: run.id, embedDim: server.model.embedDim, rssBytes: process.memoryUsage.rss() });
