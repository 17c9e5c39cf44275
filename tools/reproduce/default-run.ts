/**
 * Runs what `npm start` runs (the CLI's default settings) with three Node clients, the browser tab's code over real
 * websockets, and plots it for the README: docs/results/default-run.svg.
 *
 *   nice npx tsx tools/reproduce/default-run.ts [--seed 0]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runConfigFromFlags } from '@clipfed/server';
import { runExperiment } from './experiment';
import { REPO_ROOT } from './results-paths';
import { openSuite } from './suite-context';
import { lineChartSvg } from './svg-chart';

/** What the README asks for: two or three tabs. */
const CLIENTS = 3;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seed: { type: 'string', default: '0' } } });
  const flags = runConfigFromFlags({ seed: values.seed });
  if (!flags.ok) throw new Error(flags.reason);
  const config = flags.config;
  const ctx = await openSuite({ modelDir: join(REPO_ROOT, 'models/builtin') });
  try {
    const result = await runExperiment(ctx, {
      id: `default/${config.seed}`,
      protocol: 'A',
      method: config.algorithm,
      setting: config.emojiDomains.heldOutDomain,
      seed: config.seed,
      clients: CLIENTS,
      config,
    });
    const rows = result.rows;
    const pct = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? 100 * v : null);
    const flat = (v: number | null | undefined) => rows.map((r) => ({ x: r.round, y: pct(v) }));
    const zs = rows[0];
    const svg = lineChartSvg(
      [
        { label: "clients' own domains (global model)", points: rows.map((r) => ({ x: r.round, y: pct(r.personalAccuracy) })) },
        { label: 'zero-shot CLIP, own domains', points: flat(zs.zeroShotPersonalAccuracy) },
        { label: `held-out ${config.emojiDomains.heldOutDomain}`, points: rows.map((r) => ({ x: r.round, y: pct(r.heldOutAccuracy) })) },
        { label: `zero-shot CLIP, ${config.emojiDomains.heldOutDomain}`, points: flat(zs.zeroShotHeldOutAccuracy) },
      ],
      {
        title: `npm start's run: ${config.algorithm} on ${config.emojiDomains.clientDomains.join(', ')}, ${CLIENTS} clients, seed ${config.seed}`,
        xLabel: 'round',
        yLabel: 'accuracy (%)',
      },
    );
    const out = join(REPO_ROOT, 'docs/results/default-run.svg');
    await mkdir(join(REPO_ROOT, 'docs/results'), { recursive: true });
    await writeFile(out, svg);
    const last = rows.at(-1)!;
    console.log(
      `own domains ${pct(zs.zeroShotPersonalAccuracy)?.toFixed(1)} % zero-shot -> ${pct(last.personalAccuracy)?.toFixed(1)} % after ${last.round} rounds; ` +
        `held-out ${config.emojiDomains.heldOutDomain} ${pct(zs.zeroShotHeldOutAccuracy)?.toFixed(1)} % -> ${pct(last.heldOutAccuracy)?.toFixed(1)} %; ` +
        `${(result.wallMs / 1000).toFixed(0)} s; wrote ${out}`,
    );
  } finally {
    await ctx.close();
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
