import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { consoleProgress } from '@clipfed/data';
import { TaskConfigError } from '../runs/emoji-task';
import { startServer } from '../server';
import { classroomBanner } from './classroom';
import { openInBrowser } from './open-in-browser';
import { describeRun, printRoundLines } from './print-run';
import { RUN_FLAGS, RUN_FLAGS_HELP, runConfigFromFlags } from './run-flags';
import { REPO_ROOT, SERVER_FLAGS, SERVER_FLAGS_HELP, serverOptionsFromFlags } from './server-flags';

export const SERVE_HELP = `Usage: clipfed serve [options]

Starts the server with a run and prints the URL volunteers open.

${SERVER_FLAGS_HELP}
  --no-run                start without creating a run (create runs over HTTP)
  --new-run               create a new run even when unfinished runs were resumed from the runs folder
  --exit-when-done        exit when the run finishes (for scripts)
  --no-open               with --classroom: print the projector view's link instead of opening it

${RUN_FLAGS_HELP}`;

export async function serveCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...SERVER_FLAGS,
      ...RUN_FLAGS,
      'no-run': { type: 'boolean', default: false },
      'new-run': { type: 'boolean', default: false },
      'exit-when-done': { type: 'boolean', default: false },
      'no-open': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(SERVE_HELP);
  const run = runConfigFromFlags(values);
  if (!run.ok) {
    console.error(`Invalid run settings: ${run.reason}\n\n${SERVE_HELP}`);
    process.exit(2);
  }
  const server = await startServer({ ...serverOptionsFromFlags(values), onProgress: consoleProgress('preparing') });
  const shutdown = async (signal: string) => {
    console.log(`\n${signal}: shutting down`);
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  console.log(`clipfed server listening on ${server.url}`);
  if (!values['operator-token'] && !process.env.CLIPFED_OPERATOR_TOKEN) console.log(`operator token (shown once): ${server.operatorToken}`);
  for (const r of server.restored) {
    console.log(`resumed run ${r.id} after round ${r.round} of ${r.config.rounds}: open ${server.url}/?run=${r.id}`);
    printRoundLines(r);
  }
  const damaged = server.registry.damaged();
  for (const d of damaged) console.error(`run ${d.runId} could not be resumed: ${d.problem}; its folder is left as it is (open ${server.url}/dashboard)`);
  if (damaged.length > 0 && server.restored.length === 0 && !values['no-run'] && !values['new-run']) {
    // Never start over silently in place of a run that could not be read: volunteers on its link would lose it.
    console.error('no new run started in place of the damaged one; repair or move its folder, or start with --new-run');
    return;
  }
  const port = Number(new URL(server.url).port);
  const announceClassroom = async (runId: string) => {
    if (!values.classroom) return;
    const banner = await classroomBanner({ runId, port, interfaces: networkInterfaces() });
    console.log(`\n${banner.text}\n`);
    if (!values['no-open'] && (await openInBrowser(banner.projectorUrl))) console.log('Opened the projector view in the browser.');
  };
  if (values['no-run'] || (server.restored.length > 0 && !values['new-run'])) {
    const resumed = server.restored.find((r) => r.status !== 'finished') ?? server.restored[0];
    if (resumed) await announceClassroom(resumed.id);
    else if (values.classroom) console.log(`\nClassroom: create a run on the dashboard, ${server.url}/dashboard, to get its link and QR code.\n`);
    return;
  }
  let created: Awaited<ReturnType<typeof server.registry.create>>;
  try {
    created = await server.registry.create(run.config);
  } catch (e) {
    if (!(e instanceof TaskConfigError)) throw e;
    console.error(`Invalid run settings: ${e.message}`);
    await server.close();
    process.exit(2);
  }
  console.log(describeRun(created));
  console.log(`\n  Open ${server.url}/?run=${created.id} in ${created.config.minClients} or more browser tabs to join.\n`);
  await announceClassroom(created.id);
  printRoundLines(created);
  created.on('finished', () => {
    console.log(`run ${created.id} finished; metrics in ${resolve(String(values['runs-dir'] ?? resolve(REPO_ROOT, 'runs')), created.id, 'metrics.jsonl')}`);
    if (values['exit-when-done']) void shutdown('done');
  });
}
