#!/usr/bin/env -S npx tsx
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { consoleProgress } from '@clipfed/data';
import { parseMessage, runConfigSchema, type RunConfigInput } from '@clipfed/protocol';
import { startServer } from './server';

const HELP = `clipfed: browser federated learning with CLIP

Usage: clipfed serve [options]

Server:
  --port <n>              HTTP + websocket port (default 8080, env PORT)
  --host <addr>           interface to listen on (default 127.0.0.1)
  --model <dir>           CLIP model folder (default models/builtin)
  --runs-dir <dir>        where run folders are written (default runs)
  --operator-token <t>    operator token (default env CLIPFED_OPERATOR_TOKEN, else generated and printed)
  --record-uploads        keep each round's uploads so /api/runs/:id/rounds/:r/aggregation can show them
  --no-run                start without creating a run
  --exit-when-done        exit when the run finishes (for scripts)

Run (created at start):
  --dataset <name>        emoji-domains (default)
  --held-out <style>      EmojiDomains style held out for evaluation (default openmoji)
  --algorithm <name>      fedclip (default) | zero-shot
  --rounds <n>            rounds (default 10)
  --min-clients <n>       clients needed before a round starts (default 2)
  --local-epochs <n>      local epochs per round (default 1)
  --lr <x>                adapter learning rate (default 5e-5)
  --deadline-ms <n>       round deadline (default 120000)
  --aggregation <mode>    fedavg (default) | uniform | median | trimmed-mean
  --seed <n>              seed (default 0)
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    model: { type: 'string', default: 'models/builtin' },
    'runs-dir': { type: 'string', default: 'runs' },
    'operator-token': { type: 'string' },
    'record-uploads': { type: 'boolean', default: false },
    'no-run': { type: 'boolean', default: false },
    'exit-when-done': { type: 'boolean', default: false },
    dataset: { type: 'string' },
    'held-out': { type: 'string' },
    algorithm: { type: 'string' },
    rounds: { type: 'string' },
    'min-clients': { type: 'string' },
    'local-epochs': { type: 'string' },
    lr: { type: 'string' },
    'deadline-ms': { type: 'string' },
    aggregation: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const command = positionals[0] ?? 'serve';
if (values.help || command !== 'serve') {
  console.log(HELP);
  process.exit(values.help ? 0 : 1);
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const runInput: RunConfigInput = JSON.parse(
  JSON.stringify({
    dataset: values.dataset,
    heldOutDomain: values['held-out'],
    algorithm: values.algorithm,
    rounds: num(values.rounds),
    minClients: num(values['min-clients']),
    localEpochs: num(values['local-epochs']),
    learningRate: num(values.lr),
    roundDeadlineMs: num(values['deadline-ms']),
    aggregation: values.aggregation,
    seed: num(values.seed),
  }),
);
const parsedRun = parseMessage(runConfigSchema, runInput);
if (!parsedRun.ok) {
  console.error(`Invalid run settings: ${parsedRun.reason}\n\n${HELP}`);
  process.exit(2);
}

const root = resolve(import.meta.dirname, '../../..');
const server = await startServer({
  port: Number(values.port ?? process.env.PORT ?? 8080),
  host: values.host!,
  modelDir: resolve(values.model!),
  runsDir: resolve(values['runs-dir']!),
  cacheDir: resolve(root, '.cache'),
  webDist: resolve(root, 'apps/web/dist'),
  operatorToken: values['operator-token'] ?? process.env.CLIPFED_OPERATOR_TOKEN,
  recordUploads: values['record-uploads'],
  logLevel: process.env.LOG_LEVEL ?? 'warn',
  onProgress: consoleProgress('preparing'),
});

const shutdown = async (signal: string) => {
  console.log(`\n${signal}: shutting down`);
  await server.close();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

console.log(`clipfed server listening on ${server.url}`);
if (!values['operator-token'] && !process.env.CLIPFED_OPERATOR_TOKEN) console.log(`operator token: ${server.operatorToken}`);

if (!values['no-run']) {
  const run = await server.registry.create(parsedRun.value);
  const c = run.config;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(
    `run ${run.id}: ${c.algorithm} on ${c.dataset} (held out: ${c.heldOutDomain}), ${c.rounds} rounds, ${c.minClients}+ clients, ${run.task.shards.length} shards`,
  );
  console.log(`zero-shot accuracy: ${pct(run.zeroShot.accuracy)} (held-out style ${pct(run.zeroShot.heldOutAccuracy)})`);
  console.log(`\n  Open ${server.url}/?run=${run.id} in ${c.minClients} or more browser tabs to join.\n`);
  run.on('metrics', (m: { round: number; accuracy: number; heldOutAccuracy: number; participants: string[] }) => {
    if (m.round === 0) return;
    console.log(
      `round ${m.round}/${c.rounds}  accuracy ${pct(m.accuracy)} (zero-shot ${pct(run.zeroShot.accuracy)})  held-out ${pct(m.heldOutAccuracy)}  clients ${m.participants.length}`,
    );
  });
  run.on('finished', () => {
    console.log(`run ${run.id} finished; metrics in ${resolve(values['runs-dir']!, run.id, 'metrics.jsonl')}`);
    if (values['exit-when-done']) void shutdown('done');
  });
}
