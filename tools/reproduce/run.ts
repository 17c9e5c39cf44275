/**
 * Runs the reproduction protocols through the real system (server + simulated clients over
 * websockets) and appends one result line per experiment to tools/reproduce/results/<protocol>.jsonl.
 *
 *   npx tsx tools/reproduce/run.ts --protocol a        # FedCLIP on EmojiDomains (Protocol A)
 *   npx tsx tools/reproduce/run.ts --protocol b        # CLIP2FL on Fashion-MNIST-LT (Protocol B)
 *   npx tsx tools/reproduce/report.ts                  # tables and plots into docs/RESULTS.md
 *
 * Experiments already in the results file are skipped (delete it, or pass --fresh, to start over).
 */
import { rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runExperiment, type ExperimentSpec } from './experiment';
import { protocolA, protocolB, SEEDS } from './protocols';
import { appendResult, readResults } from './results-file';
import { REPO_ROOT, resultsFileFor, timingFileFor } from './results-paths';
import { openSuite } from './suite-context';

const HELP = `Usage: npx tsx tools/reproduce/run.ts --protocol a|b [options]
  --protocol <a|b>     A: FedCLIP on EmojiDomains; B: CLIP2FL on Fashion-MNIST-LT
  --seeds <list>       comma-separated seeds (default ${SEEDS.join(',')})
  --only <text>        run only experiments whose id contains this text (e.g. IF100, clip2fl/0)
  --model <dir>        CLIP model folder (default models/builtin)
  --out <file>         results file (default tools/reproduce/results/<protocol>.jsonl)
  --fresh              delete the results file first`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      protocol: { type: 'string' },
      seeds: { type: 'string' },
      only: { type: 'string' },
      model: { type: 'string' },
      out: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(HELP);
  const protocol = values.protocol?.toUpperCase();
  if (protocol !== 'A' && protocol !== 'B') {
    console.error(`--protocol must be a or b\n\n${HELP}`);
    process.exit(2);
  }
  const seeds = values.seeds ? values.seeds.split(',').map(Number) : SEEDS;
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) {
    console.error(`--seeds must be non-negative integers, got ${values.seeds}`);
    process.exit(2);
  }
  const out = values.out ?? resultsFileFor(protocol);
  if (values.fresh) await rm(out, { force: true });
  const done = new Set((await readResults(out)).map((r) => r.spec.id));
  const all: ExperimentSpec[] = protocol === 'A' ? protocolA(seeds) : protocolB(seeds);
  const todo = all.filter((s) => !done.has(s.id) && (!values.only || s.id.includes(values.only)));
  console.log(`protocol ${protocol}: ${all.length} experiments, ${all.filter((s) => done.has(s.id)).length} already in ${out}, ${todo.length} to run now`);

  const started = Date.now();
  const ctx = await openSuite({ modelDir: values.model ?? join(REPO_ROOT, 'models/builtin'), log: (l) => console.log(l) });
  try {
    for (const [i, spec] of todo.entries()) {
      const result = await runExperiment(ctx, spec);
      await appendResult(out, result);
      const last = result.rows.at(-1)!;
      const balanced = last.balancedHead ? `  balanced ${(100 * last.balancedHead.accuracy).toFixed(1)}%` : '';
      console.log(
        `[${i + 1}/${todo.length}] ${spec.id}: accuracy ${(100 * last.accuracy).toFixed(1)}%${balanced}  ${(result.wallMs / 1000).toFixed(1)} s (CPU ${(result.cpuMs / 1000).toFixed(1)} s)  (elapsed ${((Date.now() - started) / 60_000).toFixed(1)} min)`,
      );
    }
  } finally {
    await ctx.close();
  }
  const minutes = (Date.now() - started) / 60_000;
  console.log(`protocol ${protocol}: ${todo.length} experiments in ${minutes.toFixed(1)} min`);
  if (!values.out && !values.only) {
    await writeFile(
      timingFileFor(protocol),
      JSON.stringify({ protocol, experiments: todo.length, minutes, finishedAt: new Date().toISOString(), loadAverage: loadavg() }, null, 2) + '\n',
    );
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
