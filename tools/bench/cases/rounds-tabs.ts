import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { table, type BenchCase } from '../lib/bench-case';
import { roundBenchModel } from '../lib/bench-model';
import { launchPersistentChromium } from '../lib/browser';
import { startSimServer, type RoundReport } from '../lib/sim-server';
import { fmt, fmtSummary, summarize } from '../lib/stats';
import { buildVolunteerPage } from '../lib/web-build';

const TAB_COUNTS = [1, 2, 4, 8] as const;
const ROUNDS = 3;

interface TabsResult {
  tabs: number;
  readySeconds: number;
  rounds: RoundReport[];
}

export const roundsTabsCase: BenchCase = {
  id: 'rounds-tabs',
  title: 'Round latency with real browser tabs',
  expectedSeconds: 150,
  async run(ctx) {
    const model = await roundBenchModel(ctx.root, ctx.cacheDir);
    const webDist = await buildVolunteerPage(ctx.root, join(ctx.cacheDir, 'web-dist'));
    // One browser profile for every tab count: the model and image features are cached after their first use,
    // as for returning volunteers, so that tab preparation does not dominate the bench.
    const context = await launchPersistentChromium(join(ctx.cacheDir, 'tabs-profile'));
    const results: TabsResult[] = [];
    const errors: string[] = [];
    const work = TAB_COUNTS.reduce((s, n) => s + n, 0);
    let done = 0;
    const runsDir = await mkdtemp(join(tmpdir(), 'clipfed-bench-tabs-'));
    const server = await startSimServer(ctx.root, { modelDir: model.dir, runsDir, cacheDir: join(ctx.root, '.cache'), webDist });
    try {
      for (const tabs of TAB_COUNTS) {
        const run = await server.createRun({ name: `bench ${tabs} tabs`, rounds: ROUNDS, minClients: tabs, maxClientsPerRound: tabs, localEpochs: 1, roundDeadlineMs: 600_000, seed: 1 });
        const pages: Page[] = [];
        const t0 = performance.now();
        let readySeconds = 0;
        run.onRound((r) => {
          if (r.round === 1) readySeconds = (performance.now() - t0 - r.roundMs) / 1000;
          ctx.progress((done + (tabs * r.round) / ROUNDS) / work);
        });
        try {
          for (let i = 0; i < tabs; i++) {
            const page = await context.newPage();
            page.on('pageerror', (e) => errors.push(`${tabs} tabs: ${e.message}`));
            await page.goto(`${server.url}/?run=${run.runId}&backend=wasm`);
            pages.push(page);
          }
          await Promise.race([
            run.finished,
            new Promise((_, reject) => setTimeout(() => reject(new Error(`${tabs} tabs did not finish ${ROUNDS} rounds in 10 minutes`)), 600_000)),
          ]);
          results.push({ tabs, readySeconds, rounds: [...run.rounds] });
        } finally {
          for (const p of pages) await p.close().catch(() => undefined);
        }
        done += tabs;
        ctx.progress(done / work);
      }
    } finally {
      await context.close();
      await server.stop();
      await rm(runsDir, { recursive: true, force: true });
    }
    const MiB = 2 ** 20;
    const rows = results.map((r) => [
      String(r.tabs),
      fmtSummary(summarize(r.rounds.map((x) => x.roundMs)), 'ms'),
      fmtSummary(summarize(r.rounds.map((x) => x.aggregateMs + x.evalMs)), 'ms'),
      `${fmt(summarize(r.rounds.map((x) => x.cpuMs / 1000)).median)} s`,
      `${fmt(Math.max(...r.rounds.map((x) => x.peakRssBytes)) / MiB)} MiB`,
      `${fmt(r.readySeconds)} s`,
    ]);
    const markdown = [
      `Real Chromium tabs on the volunteer page (built from the current sources), \`?backend=wasm\`, one browser profile, joining a FedCLIP run on ${model.label} that selects every tab in each of ${ROUNDS} rounds (1 local epoch on the tab's EmojiDomains style shard, training in the page's Web Worker). Latency is the server's round time (round start sent → last upload accepted), then aggregation and held-out evaluation on the server; CPU and peak memory are the server process's. All tabs and the server share this machine's 2 cores, so latency grows with the number of tabs: the slowest tab sets the round.`,
      '',
      table(['tabs', 'round latency', 'server step (aggregate + evaluate)', 'server CPU per round', 'server peak memory', 'time until all tabs were ready'], rows),
      '',
      ...(errors.length ? ['Page errors:', ...errors.map((e) => `- ${e}`)] : []),
    ].join('\n');
    return { markdown, data: { model: model.label, results } };
  },
};
