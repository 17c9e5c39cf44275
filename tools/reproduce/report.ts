/**
 * Turns the result files of tools/reproduce/run.ts into docs/RESULTS.md and its plots
 * (docs/results/*.svg):  npx tsx tools/reproduce/report.ts
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentResult, RoundRow, ShotRow } from './experiment';
import {
  DERIVED_CLIENT_DOMAINS,
  IMBALANCE_FACTORS,
  PROTOCOL_A_ABLATIONS,
  PROTOCOL_A_METHODS,
  PROTOCOL_A_SETTINGS,
  PROTOCOL_B_METHODS,
  PROTOCOL_B_SETTINGS,
  PROTOCOL_B_STUDENT_METHODS,
  PROTOCOL_B_STUDENT_SETTINGS,
} from './protocols';
import { CLIP2FL_CONTEXT, FEDCLIP_PACS } from './published';
import { readResults } from './results-file';
import { REPO_ROOT, resultsFileFor, timingFileFor } from './results-paths';
import { formatPercent, meanStd } from './stats';
import { lineChartSvg, type ChartSeries } from './svg-chart';

const METHOD_LABEL: Record<string, string> = {
  'zero-shot': 'zero-shot CLIP',
  local: 'local only',
  fedclip: 'FedCLIP (FedAvg)',
  'fedclip-clip-adapter': 'FedCLIP, CLIP-Adapter head',
  'fedclip-decay': 'FedCLIP + decay 0.2',
  'fedclip-paper-loss': "FedCLIP, paper's loss + decay",
  centralised: 'centralised',
  creff: 'CReFF',
  'clip2fl-no-kd': 'CLIP2FL w/o KD',
  clip2fl: 'CLIP2FL',
};

/** The head each method is evaluated with: CReFF and CLIP2FL predict with the balanced classifier R. */
const usesBalancedHead = (method: string) => method === 'creff' || method.startsWith('clip2fl');

interface Timing {
  protocol: string;
  experiments: number;
  minutes: number;
  finishedAt: string;
  loadAverage: number[];
}

const last = (r: ExperimentResult): RoundRow => r.rows.at(-1)!;
/** Mean over the training styles' own test splits (the "personalisation" numbers of FedCLIP §1.7). */
const perClient = (row: { perSet: Record<string, number> }) => {
  const own = Object.entries(row.perSet).filter(([k]) => !k.includes('held out'));
  return own.length ? own.reduce((a, [, v]) => a + v, 0) / own.length : null;
};

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function chartPoints(results: ExperimentResult[], value: (row: RoundRow) => number | null | undefined): { x: number; y: number | null }[] {
  const rounds = Math.max(...results.map((r) => r.rows.length));
  return Array.from({ length: rounds }, (_, x) => {
    const ys = results.map((r) => r.rows[x]).filter(Boolean).map(value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return { x, y: ys.length ? 100 * meanStd(ys).mean : null };
  });
}

async function readTiming(protocol: 'A' | 'B'): Promise<Timing | null> {
  try {
    return JSON.parse(await readFile(timingFileFor(protocol), 'utf8')) as Timing;
  } catch {
    return null;
  }
}

function timingLine(results: ExperimentResult[], timing: Timing | null): string {
  const wall = results.reduce((a, r) => a + r.wallMs, 0) / 60_000;
  const cpu = results.reduce((a, r) => a + (r.cpuMs ?? NaN), 0) / 60_000;
  const load = timing ? `, load average ${timing.loadAverage.map((l) => l.toFixed(1)).join(' / ')} at the end` : '';
  return (
    `Run time on this 2-core machine: **${cpu.toFixed(1)} CPU minutes** for ${results.length} experiments, with image features already cached ` +
    `(the cost on an otherwise idle machine; ${wall.toFixed(0)} min of wall time here, where the suite ran under \`nice\` beside other work${load}).`
  );
}

/** The model's unseen styles (models/builtin/config.json `clipfed.unseen_domains`). */
const UNSEEN_STYLES = ['openmoji', 'fluent-high-contrast'];
const styleLabel = (style: string) => (UNSEEN_STYLES.includes(style) ? `${style} (unseen)` : style);

/**
 * Formats per-seed values of a cell: each seed's value is the mean over the experiments picked for it (several
 * settings), then mean ± std over seeds. Zero-shot has one seed-free run per setting.
 */
function overSeeds(results: ExperimentResult[], value: (r: ExperimentResult) => number | null | undefined): string {
  const seeds = [...new Set(results.map((r) => r.spec.seed))];
  return formatPercent(
    seeds.map((seed) => {
      const vals = results.filter((r) => r.spec.seed === seed).map(value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
    }),
  );
}

function protocolA(all: ExperimentResult[], timing: Timing | null): { md: string; charts: Record<string, string> } {
  const grid = (g: 'styles' | 'derived') => all.filter((r) => (r.spec.grid ?? 'styles') === g);
  const styles = grid('styles');
  const derived = grid('derived');
  const pick = (rs: ExperimentResult[], setting: string | null, method: string) => rs.filter((r) => (setting === null || r.spec.setting === setting) && r.spec.method === method);
  const settingsOf = (rs: ExperimentResult[]) => [...new Set(rs.map((r) => r.spec.setting))];
  const methodsOf = (rs: ExperimentResult[]) => [...PROTOCOL_A_METHODS, ...PROTOCOL_A_ABLATIONS].filter((m) => rs.some((r) => r.spec.method === m));
  const header = (first: string, methods: string[]) => [first, ...methods.map((m) => METHOD_LABEL[m])];
  /** One row per setting and a mean row, for a value of each run's last round. */
  const bySetting = (rs: ExperimentResult[], methods: string[], value: (r: ExperimentResult) => number | null | undefined) => [
    ...settingsOf(rs).map((st) => [styleLabel(st), ...methods.map((m) => overSeeds(pick(rs, st, m), value))]),
    ['**mean**', ...methods.map((m) => overSeeds(pick(rs, null, m), value))],
  ];
  /** One row per client domain: its own test split's accuracy wherever it was a client (zero-shot: the same sets). */
  const byClientDomain = (rs: ExperimentResult[], domains: string[], methods: string[]) =>
    domains.map((d) => [styleLabel(d), ...methods.map((m) => overSeeds(pick(rs, null, m), (r) => last(r).perSet[`${d} test`]))]);

  const styleMethods = methodsOf(styles);
  const derivedMethods = methodsOf(derived);
  const series = (rs: ExperimentResult[], methods: string[], value: (row: RoundRow) => number | null | undefined): ChartSeries[] =>
    methods.map((m) => {
      if (m !== 'zero-shot') return { label: METHOD_LABEL[m], points: chartPoints(pick(rs, null, m), value) };
      const zs = pick(rs, null, m);
      const y = zs.length ? 100 * meanStd(zs.map((r) => value(last(r))).filter((v): v is number => typeof v === 'number')).mean : null;
      return { label: METHOD_LABEL[m], points: Array.from({ length: PROTOCOL_A_SETTINGS.rounds + 1 }, (_, x) => ({ x, y })) };
    });
  const charts: Record<string, string> = {};
  if (styles.length) {
    charts['protocol-a-held-out.svg'] = lineChartSvg(series(styles, styleMethods, (r) => r.heldOutAccuracy), {
      title: 'Five styles: held-out style accuracy per round (mean of 5 styles × seeds)',
      xLabel: 'round',
      yLabel: 'accuracy (%)',
    });
  }
  if (derived.length) {
    charts['protocol-a-derived-per-client.svg'] = lineChartSvg(series(derived, derivedMethods, (r) => perClient(r)), {
      title: 'Derived domains: per-client accuracy per round (own test split, global model)',
      xLabel: 'round',
      yLabel: 'accuracy (%)',
    });
  }
  const unseenClients = UNSEEN_STYLES.filter((d) => styles.some((r) => `${d} test` in last(r).perSet));
  const s = PROTOCOL_A_SETTINGS;
  const seeds = new Set(all.filter((r) => r.spec.method !== 'zero-shot').map((r) => r.spec.seed)).size;
  const md = `## Protocol A: FedCLIP on EmojiDomains (leave one domain out)

EmojiDomains stands in for PACS: the same 18 classes drawn in 5 art styles. The built-in model was pretrained on
noto, twemoji and fluent-flat (pretraining concepts only); **openmoji and fluent-high-contrast are unseen**, as are
the derived domains. Only benchmark concepts are used (none was seen in pretraining; docs/DATA.md). Two grids:

- **five styles**: each style held out in turn, the other four one client each (their train split);
- **derived domains**: three clients on domains the model never saw, \`${DERIVED_CLIENT_DOMAINS.join('`, `')}\`,
  with each unseen style held out in turn.

What is measured, as the FedCLIP paper does:

- **held out** (generalisation): accuracy on all benchmark images of the domain no client trained on;
- **per client** (personalisation): accuracy on each client's own test split, measured with the model that client
  ends up with: the global model for FedCLIP, its own adapter for *local only*, the single model for *centralised*.

Methods: **local only** (each client trains alone; the held-out domain is measured with each client's adapter and
averaged), **FedCLIP** with each of the two client heads (the attention adapter of the paper, and CLIP-Adapter's
residual MLP, α 0.2, bottleneck d/4), and **centralised** (one client holds the union of the training data; an upper
bound, not federated). Numbers are the last round's, mean ± std over ${seeds} seeds (zero-shot CLIP has no seed).

Scaled down to fit the machine (the paper: 200 rounds, 1 local epoch, Adam lr 5e-5, weight decay 0.2, its in-batch
CLIP loss): **${s.rounds} rounds, ${s.localEpochs} local epoch, Adam lr ${s.learningRate}** (20× the paper's, so the adapter
moves in ${s.rounds} rounds), batch 32, all clients every round, **${s.aggregation}** averaging (as the reference code),
**class-level cross-entropy against the text prototypes and no weight decay**. The last two depart from the paper;
the derived grid measures each departure on its own (*FedCLIP + decay 0.2*: the paper's decay;
*FedCLIP, paper's loss + decay*: the paper's training exactly), and the discussion below says why.

Regenerate: \`nice npx tsx tools/reproduce/run.ts --protocol a && npx tsx tools/reproduce/report.ts\`.
${timingLine(all, timing)}

### Five styles: held-out style accuracy (%)

${table(header('held-out style', styleMethods), bySetting(styles, styleMethods, (r) => last(r).heldOutAccuracy))}

### Five styles: per-client accuracy, mean over the four clients' own test splits (%)

${table(header('held-out style', styleMethods), bySetting(styles, styleMethods, (r) => perClient(last(r))))}

### Five styles: the unseen styles as clients, own test split (%)

Each unseen style is a client in four of the five runs (whenever it is not the held-out one); mean over those.

${table(header('client', styleMethods), byClientDomain(styles, unseenClients, styleMethods))}

![held-out accuracy per round](results/protocol-a-held-out.svg)

### Derived domains: held-out unseen style (%)

${table(header('held-out style', derivedMethods), bySetting(derived, derivedMethods, (r) => last(r).heldOutAccuracy))}

### Derived domains: per-client accuracy on each client's own test split (%)

${table(header('client', derivedMethods), [...byClientDomain(derived, [...DERIVED_CLIENT_DOMAINS], derivedMethods), ['**mean**', ...derivedMethods.map((m) => overSeeds(pick(derived, null, m), (r) => perClient(last(r))))]])}

![derived domains: per-client accuracy per round](results/protocol-a-derived-per-client.svg)

### Published FedCLIP numbers, for context only

**Different model and dataset**: ${FEDCLIP_PACS.source}. Not comparable with the tables above: the
built-in model is a small MobileNetV2-based CLIP-format model (docs/MODEL.md), and EmojiDomains is
not PACS.

${table(['task', ...FEDCLIP_PACS.columns], FEDCLIP_PACS.rows.map((r) => [r.task, ...r.values.map((v) => v.toFixed(2))]))}
`;
  return { md, charts };
}

const SHOT_KEYS = ['many', 'medium', 'few'] as const;

/**
 * The student grid: every run records the student's own FedAvg head and the balanced head R. FedAvg is the FedAvg
 * head of the CReFF runs (the same clients, the same student); the other methods are read on R.
 */
function protocolBStudent(results: ExperimentResult[]): { md: string; charts: Record<string, string> } {
  const charts: Record<string, string> = {};
  const sections: string[] = [];
  type Head = 'fedavg' | 'balanced';
  const headOf = (row: RoundRow, h: Head) => (h === 'fedavg' ? row : (row.balancedHead ?? null));
  const lines: { label: string; method: string; head: Head }[] = [
    { label: 'FedAvg (the student\'s own head)', method: 'creff', head: 'fedavg' },
    ...PROTOCOL_B_STUDENT_METHODS.map((m): { label: string; method: string; head: Head } => ({ label: METHOD_LABEL[m], method: m, head: 'balanced' })),
  ];
  for (const IF of IMBALANCE_FACTORS) {
    const inSetting = results.filter((r) => r.spec.setting === `IF ${IF}`);
    if (inSetting.length === 0) continue;
    const zs = last(inSetting[0]);
    const rows = [
      ['zero-shot CLIP (the teacher)', formatPercent([zs.zeroShotAccuracy]), ...SHOT_KEYS.map((k) => formatPercent([zs.zeroShotShots?.[k]])), '–'],
      ...lines.map(({ label, method, head }) => {
        const rs = inSetting.filter((r) => r.spec.method === method);
        const at = (r: ExperimentResult) => headOf(last(r), head);
        return [
          label,
          formatPercent(rs.map((r) => at(r)?.accuracy)),
          ...SHOT_KEYS.map((k) => formatPercent(rs.map((r) => at(r)?.shots?.[k] ?? null))),
          head === 'balanced' ? formatPercent(rs.map((r) => last(r).accuracy)) : '–',
        ];
      }),
    ];
    sections.push(`### Student, Fashion-MNIST-LT, IF ${IF} (%)

${table(['method', 'overall', 'many', 'medium', 'few', "same run's FedAvg head"], rows)}`);
    const file = `protocol-b-student-if${IF}.svg`;
    const series: ChartSeries[] = lines.map(({ label, method, head }) => ({
      label,
      // Round 0 is the random initialisation: R is untrained there.
      points: chartPoints(inSetting.filter((r) => r.spec.method === method), (row) => (row.round === 0 && head === 'balanced' ? null : headOf(row, head)?.accuracy)),
    }));
    const rounds = series[0].points.length;
    series.push({ label: METHOD_LABEL['zero-shot'], points: Array.from({ length: rounds }, (_, x) => ({ x, y: 100 * zs.zeroShotAccuracy })) });
    charts[file] = lineChartSvg(series, { title: `Student on Fashion-MNIST-LT IF ${IF}: test accuracy per round (mean over seeds)`, xLabel: 'round', yLabel: 'accuracy (%)' });
    sections.push(`![student, IF ${IF}, accuracy per round](results/${file})`);
  }
  const s = PROTOCOL_B_STUDENT_SETTINGS;
  const c = s.clip2fl;
  const steps = results.flatMap((r) => r.rows.map((row) => row.serverStep)).filter((x): x is NonNullable<RoundRow['serverStep']> => !!x);
  const meanStep = steps.length ? meanStd(steps.map((x) => x.matchMs + x.retrainMs)).mean / 1000 : NaN;
  const trainMs = results.flatMap((r) => r.rows.map((row) => row.meanTrainMs)).filter((x): x is number => typeof x === 'number' && x > 0);
  const md = `## Protocol B, student variant: CLIP2FL's ResNet-8 student on Fashion-MNIST-LT

The setting of the CLIP2FL paper: each client trains a ResNet-8-style student (16/32/64 channels, a 512-d
feature layer and a linear classifier, ${'`student-resnet8`'}) from raw 28×28 pixels, with zero-shot CLIP as the
teacher. The long-tailed set, its partition into ${s.fashionMnistLt.clientShards} clients (Dirichlet α ${s.fashionMnistLt.dirichletAlpha}, data seed ${s.fashionMnistLt.dataSeed}),
the ${s.maxClientsPerRound} clients per round and the shot groups are those of the adapter variant below; the balanced test set
is a third of its size (${s.fashionMnistLt.testPerClass} images per class), because the student is evaluated on pixels every round.

- **FedAvg**: the student, FedAvg by sample count (batch-norm statistics averaged too), predicting with its own
  classifier. It is read from the CReFF runs, which train the very same student (CReFF only adds the server's R).
- **CReFF**: + per-class gradients of R on the student's 512-d features; the server matches ${c.featuresPerClass}
  federated features per class to them and re-trains R on them; predicts with the student's features and R.
- **CLIP2FL w/o KD**: CReFF + the prototype contrastive loss towards CLIP's text embeddings on the federated features.
- **CLIP2FL**: + the clients distil from zero-shot CLIP logits (T 3, α 1), computed once per image by the CLIP towers.

Scaled down to fit the machine (the reference: 200 rounds, 10 local epochs, head class 5,000):
**${s.rounds} rounds, ${s.localEpochs} local epoch${s.localEpochs === 1 ? '' : 's'} (SGD lr ${s.learningRate}, batch 32), ${c.matchSteps} matching steps (lr ${c.featureLr}),
${c.retrainEpochs} re-training epochs (SGD lr ${c.retrainLr}), head class ${s.fashionMnistLt.headClassSize} images, ${10 * s.fashionMnistLt.testPerClass} test images**.
Last round, mean ± std over ${new Set(results.map((r) => r.spec.seed)).size} seeds. One server step (matching + re-training)
took **${meanStep.toFixed(1)} s** on average; a client's local training took **${(meanStd(trainMs).mean / 1000).toFixed(1)} s** per round on average
(Node, tfjs wasm, ${s.localEpochs} epoch${s.localEpochs === 1 ? '' : 's'} of its shard, the ${s.fashionMnistLt.clientShards} clients sharing this machine's 2 cores).

Regenerate: \`nice npx tsx tools/reproduce/run.ts --protocol b --only student && npx tsx tools/reproduce/report.ts\`.
${timingLine(results, null)}

${sections.join('\n\n')}
`;
  return { md, charts };
}

function protocolB(results: ExperimentResult[], timing: Timing | null): { md: string; charts: Record<string, string> } {
  const charts: Record<string, string> = {};
  const sections: string[] = [];
  const head = (r: ExperimentResult, row: RoundRow) => (usesBalancedHead(r.spec.method) && row.balancedHead ? row.balancedHead : row);
  const shot = (r: ExperimentResult, key: keyof ShotRow) => head(r, last(r)).shots?.[key] ?? null;
  for (const IF of IMBALANCE_FACTORS) {
    const setting = `IF ${IF}`;
    const inSetting = results.filter((r) => r.spec.setting === setting);
    if (inSetting.length === 0) continue;
    const zs = last(inSetting[0]);
    const rows = [
      ['zero-shot CLIP', formatPercent([zs.zeroShotAccuracy]), ...(['many', 'medium', 'few'] as const).map((k) => formatPercent([zs.zeroShotShots?.[k]])), '–'],
      ...PROTOCOL_B_METHODS.map((m) => {
        const rs = inSetting.filter((r) => r.spec.method === m);
        return [
          METHOD_LABEL[m],
          formatPercent(rs.map((r) => head(r, last(r)).accuracy)),
          formatPercent(rs.map((r) => shot(r, 'many'))),
          formatPercent(rs.map((r) => shot(r, 'medium'))),
          formatPercent(rs.map((r) => shot(r, 'few'))),
          formatPercent(rs.map((r) => last(r).accuracy)),
        ];
      }),
    ];
    sections.push(`### Fashion-MNIST-LT, IF ${IF} (%)

${table(['method', 'overall', 'many', 'medium', 'few', 'text-prototype head'], rows)}`);
    const file = `protocol-b-if${IF}.svg`;
    // Round 0 of the balanced head is an untrained, random R: left out of the plot.
    const methodSeries = PROTOCOL_B_METHODS.map((m) => ({
      label: METHOD_LABEL[m],
      points: chartPoints(inSetting.filter((r) => r.spec.method === m), (row) => (usesBalancedHead(m) ? (row.round === 0 ? null : row.balancedHead?.accuracy) : row.accuracy)),
    }));
    const rounds = methodSeries[0].points.length;
    const zeroShotSeries = { label: METHOD_LABEL['zero-shot'], points: Array.from({ length: rounds }, (_, x) => ({ x, y: 100 * zs.zeroShotAccuracy })) };
    charts[file] = lineChartSvg([...methodSeries, zeroShotSeries], {
      title: `Fashion-MNIST-LT IF ${IF}: test accuracy per round (mean over seeds)`,
      xLabel: 'round',
      yLabel: 'accuracy (%)',
    });
    sections.push(`![IF ${IF} accuracy per round](results/${file})`);
  }
  const s = PROTOCOL_B_SETTINGS;
  const c = s.clip2fl;
  const stepMs = results.flatMap((r) => r.rows.map((row) => row.serverStep)).filter((x): x is NonNullable<RoundRow['serverStep']> => !!x);
  const meanStep = stepMs.length ? meanStd(stepMs.map((x) => x.matchMs + x.retrainMs)).mean / 1000 : NaN;
  const md = `## Protocol B, adapter variant: CLIP2FL on Fashion-MNIST-LT with the FedCLIP adapter as client model

Fashion-MNIST-LT stands in for CIFAR-10-LT: a long-tailed training set (class 0 the head,
IF = head/tail), ${s.fashionMnistLt.clientShards} clients of equal size by CReFF's Dirichlet procedure (α ${s.fashionMnistLt.dirichletAlpha}),
${100 * s.clientFraction} % of the clients (${s.maxClientsPerRound}) per round, and a balanced test set.
All methods train the same FedCLIP adapter on the clients (the CLIP image features are frozen), so
the methods differ only in what CReFF / CLIP2FL add:

- **FedCLIP (FedAvg)**: the adapter, FedAvg by sample count; predicts with the text prototypes.
- **CReFF**: + clients send per-class gradients of the balanced classifier R on their adapted
  features; the server moves ${c.featuresPerClass} federated features per class by gradient matching and
  re-trains a fresh R on them; predicts with R (the balanced head).
- **CLIP2FL w/o KD**: CReFF + the prototype contrastive loss towards the CLIP text embeddings
  (λ 0.001, τ 0.1) on the federated features.
- **CLIP2FL**: + client-side distillation from zero-shot CLIP logits (T 3, α 1).

Columns: **overall** and **many / medium / few**-shot accuracy of each method's own head (text
prototypes for FedCLIP, R for the others); the last column is the text-prototype head of the same
runs. Shot groups by training images per class: ImageNet-LT's many > 100 and few < 20 scaled by
10 × ${s.fashionMnistLt.headClassSize}/6000, i.e. **many > ${((100 * 10 * s.fashionMnistLt.headClassSize) / 6000).toFixed(1)}, few < ${((20 * 10 * s.fashionMnistLt.headClassSize) / 6000).toFixed(1)}**
(IF 100: 4 / 3 / 3 classes; IF 50: 5 / 3 / 2; IF 10: 7 / 3 / 0, so IF 10 has no few-shot column).
Last round, mean ± std over ${new Set(results.map((r) => r.spec.seed)).size} seeds; the seed changes the adapter and bank
initialisation, client sampling and shuffles; the long-tailed set and its partition are fixed
(data seed ${s.fashionMnistLt.dataSeed}, as the reference code fixes seed 7).

Scaled down to fit the machine (the reference: 200 rounds, 10 local epochs, 100 matching steps,
300 re-training epochs at lr 0.01, head class 5,000, the 10,000-image test set):
**${s.rounds} rounds, ${s.localEpochs} local epoch (Adam lr ${s.learningRate}), ${c.matchSteps} matching steps (SGD lr ${c.featureLr}),
${c.retrainEpochs} re-training epochs (SGD lr ${c.retrainLr}, batch 32), M = ${c.featuresPerClass} features per class,
head class ${s.fashionMnistLt.headClassSize} images, ${10 * s.fashionMnistLt.testPerClass} test images (${s.fashionMnistLt.testPerClass} per class)**. The gradient probes
use up to 32 samples per class, 10 repeats. One CLIP2FL server step took **${meanStep.toFixed(1)} s** on average
(feature matching + re-training, yielding to the event loop throughout).

Regenerate: \`nice npx tsx tools/reproduce/run.ts --protocol b && npx tsx tools/reproduce/report.ts\`.
${timingLine(results, timing)}

${sections.join('\n\n')}

### Published numbers, for context only

**Different model and dataset** (ResNet-8 trained from scratch on CIFAR-10-LT, CLIP ViT-B/32 as
teacher); the CLIP2FL paper's own tables could not be read here (algorithms.md §2.12).

${table(['what', 'top-1 %', 'source'], CLIP2FL_CONTEXT.map((x) => [x.what, x.value, x.source]))}
`;
  return { md, charts };
}

const isStudent = (r: ExperimentResult) => r.spec.grid === 'student';

async function main(): Promise<void> {
  const a = await readResults(resultsFileFor('A'));
  const b = await readResults(resultsFileFor('B'));
  if (a.length === 0 && b.length === 0) throw new Error('no results yet: run `npx tsx tools/reproduce/run.ts --protocol a` (and b) first');
  const parts = [
    a.length ? protocolA(a, await readTiming('A')) : null,
    b.some(isStudent) ? protocolBStudent(b.filter(isStudent)) : null,
    b.some((r) => !isStudent(r)) ? protocolB(b.filter((r) => !isStudent(r)), await readTiming('B')) : null,
  ].filter((p): p is { md: string; charts: Record<string, string> } => p !== null);
  const outDir = join(REPO_ROOT, 'docs/results');
  await mkdir(outDir, { recursive: true });
  for (const p of parts) for (const [name, svg] of Object.entries(p.charts)) await writeFile(join(outDir, name), svg);
  const intro = await readFile(join(REPO_ROOT, 'tools/reproduce/results-intro.md'), 'utf8');
  // What the numbers mean is written by hand, next to the intro, and kept in step with the results.
  const discussion = await readFile(join(REPO_ROOT, 'tools/reproduce/results-discussion.md'), 'utf8').catch(() => '');
  await writeFile(join(REPO_ROOT, 'docs/RESULTS.md'), [intro.trim(), ...parts.map((p) => p.md.trim()), discussion.trim()].filter(Boolean).join('\n\n') + '\n');
  console.log(`wrote docs/RESULTS.md and ${parts.reduce((n, p) => n + Object.keys(p.charts).length, 0)} plots in docs/results/`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
