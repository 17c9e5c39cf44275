import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { consoleProgress } from '@clipfed/data';
import { FederatedClient, type ClientSocket } from '@clipfed/client';
import { createNodePlatform, memoryFeatureCache } from '@clipfed/client/node';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { initNodeTfBackend } from '@clipfed/fl';
import { socketParser } from '@clipfed/protocol';
import { TaskConfigError } from '../runs/emoji-task';
import { startServer } from '../server';
import { describeRun, printRoundLines } from './print-run';
import { RUN_FLAGS, RUN_FLAGS_HELP, runConfigFromFlags } from './run-flags';
import { SERVER_FLAGS, SERVER_FLAGS_HELP, serverOptionsFromFlags } from './server-flags';

export const SIMULATE_HELP = `Usage: clipfed simulate --clients <n> [options]

Starts a server and a run, then N simulated clients in this Node process that connect through real
websockets and run the same client code as a browser tab. Prints one line per round and exits.

  --clients <n>           simulated clients (default: the run's --min-clients)

${SERVER_FLAGS_HELP}

${RUN_FLAGS_HELP}`;

export async function simulateCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...SERVER_FLAGS, ...RUN_FLAGS, clients: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) return console.log(SIMULATE_HELP);
  const run = runConfigFromFlags(values);
  if (!run.ok) {
    console.error(`Invalid run settings: ${run.reason}\n\n${SIMULATE_HELP}`);
    process.exit(2);
  }
  const clients = Number(values.clients ?? run.config.minClients);
  if (!Number.isInteger(clients) || clients < 1) {
    console.error(`--clients must be a positive integer, got ${values.clients}`);
    process.exit(2);
  }
  const progress = consoleProgress('simulate');
  const options = serverOptionsFromFlags({ ...values, port: values.port ?? '0' });
  const server = await startServer({ ...options, onProgress: progress });
  let created: Awaited<ReturnType<typeof server.registry.create>>;
  try {
    created = await server.registry.create({ ...run.config, minClients: Math.min(run.config.minClients, clients) });
  } catch (e) {
    await server.close();
    if (!(e instanceof TaskConfigError)) throw e;
    console.error(`Invalid run settings: ${e.message}`);
    process.exit(2);
  }
  console.log(describeRun(created));
  printRoundLines(created, (line) => process.stderr.write(`${line}\n`));

  const tf = await initNodeTfBackend(undefined, () => undefined);
  const sharedModel = loadClipModelFromDir(options.modelDir);
  const featureCache = memoryFeatureCache();
  const sockets: ClientSocket[] = [];
  for (let i = 0; i < clients; i++) {
    const socket: ClientSocket = io(server.url, { transports: ['websocket'], parser: socketParser });
    sockets.push(socket);
    new FederatedClient(
      socket,
      createNodePlatform({ serverUrl: server.url, modelDir: options.modelDir, tfBackend: tf.backend as 'wasm' | 'cpu' | 'tensorflow', sharedModel, featureCache }),
      { runId: created.id, updateDtype: created.config.updateDtype },
    );
  }
  const started = Date.now();
  created.on('metrics', (m: { round: number }) => progress({ stage: 'rounds', done: m.round, total: created.config.rounds }));
  await new Promise<void>((resolve) => created.once('finished', () => resolve()));
  console.log(`run ${created.id} finished in ${((Date.now() - started) / 1000).toFixed(1)} s with ${clients} simulated clients`);
  for (const s of sockets) s.disconnect();
  await server.close();
  await (await sharedModel).dispose();
}
