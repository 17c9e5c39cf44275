import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { ClipModel } from '@clipfed/clip';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { consoleProgress, EMOJI_DOMAIN_NAMES, loadEmojiDomains, parseEmojiDomainName, loadFashionMnist, SPLIT_PRETRAIN, SPLIT_TEST, type ImageSet, type ProgressFn } from '@clipfed/data';
import { ZERO_SHOT_PROMPT } from './captions';
import { accuracy, zeroShotPredictions } from './zero-shot';

/**
 * Zero-shot top-1 accuracy of a CLIP model folder, loaded through @clipfed/clip exactly as the
 * product loads it, with the prompt "a picture of a {class}":
 * - EmojiDomains, each style (or each domain given): the benchmark test split, and the domain's whole
 *   benchmark (train + val + test concepts; pretraining concepts are left out);
 * - Fashion-MNIST: the 10,000-image test set.
 *
 *   npx tsx tools/model/evaluate.ts [modelDir] [--domains a,b,...] [--derived] [--no-fashion]
 *
 * modelDir defaults to models/builtin; --domains picks EmojiDomains domains (styles or derived domains
 * such as noto-sketch); --derived evaluates every derived domain (sketch, silhouette, inverted of each style).
 */

/** Whether the model was pretrained on the domain (other images of it), per the folder's config.json. */
export type DomainExposure = 'seen' | 'unseen' | 'unknown';

export interface EvaluationRow {
  dataset: string;
  subset: string;
  /** seen: the model was pretrained on other images of this domain; unseen: on none. */
  domain: DomainExposure;
  images: number;
  classes: number;
  accuracy: number;
  chance: number;
}

export interface EvaluateOptions {
  onProgress?: ProgressFn;
  /** Encode at most this many Fashion-MNIST test images (default all 10,000). */
  fashionTestLimit?: number;
  batchSize?: number;
  /**
   * Domains the model was pretrained on, as `emoji:<style>` and `fashion-mnist` (config.json's
   * clipfed.seen_domains); the other domains are reported unseen. Without it every row is unknown.
   */
  seenDomains?: readonly string[];
  /** EmojiDomains domains to evaluate (styles or derived domains); default the five styles. */
  emojiDomains?: readonly string[];
  /** Evaluate Fashion-MNIST too (default true). */
  fashion?: boolean;
}

export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../models/builtin', import.meta.url));

/** clipfed.seen_domains of a model folder's config.json, or undefined for a model that does not say (a real CLIP). */
export function readSeenDomains(dir: string): string[] | undefined {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) return undefined;
  const config = JSON.parse(readFileSync(file, 'utf8')) as { clipfed?: { seen_domains?: unknown } };
  const seen = config.clipfed?.seen_domains;
  return Array.isArray(seen) && seen.every((x) => typeof x === 'string') ? seen : undefined;
}

export function domainExposure(domainId: string, seenDomains: readonly string[] | undefined): DomainExposure {
  if (!seenDomains) return 'unknown';
  return seenDomains.includes(domainId) ? 'seen' : 'unseen';
}

export async function evaluateModelDir(dir: string, opts: EvaluateOptions = {}): Promise<EvaluationRow[]> {
  const model = await loadClipModelFromDir(dir);
  try {
    return await evaluateModel(model, { seenDomains: readSeenDomains(dir), ...opts });
  } finally {
    await model.dispose();
  }
}

export async function evaluateModel(model: ClipModel, opts: EvaluateOptions = {}): Promise<EvaluationRow[]> {
  const rows: EvaluationRow[] = [];
  const emoji = await loadEmojiDomains({ styles: opts.emojiDomains ? [...opts.emojiDomains] : undefined, onProgress: opts.onProgress });
  const emojiClasses = await model.encodeTexts(emoji.classNames.map(ZERO_SHOT_PROMPT));
  const C = emoji.classNames.length;
  for (const d of emoji.domains) {
    const benchmark: number[] = [];
    d.split.forEach((s, i) => {
      if (s !== SPLIT_PRETRAIN) benchmark.push(i);
    });
    const embeds = await encodeSet(model, d.set, benchmark, `encode ${d.name}`, opts);
    const predicted = zeroShotPredictions(embeds, emojiClasses, model.embedDim);
    const labels = benchmark.map((i) => d.set.labels[i]);
    const test = benchmark.map((i, k) => (d.split[i] === SPLIT_TEST ? k : -1)).filter((k) => k >= 0);
    const domain = domainExposure(`emoji:${d.name}`, opts.seenDomains);
    rows.push({
      dataset: `EmojiDomains ${d.name}`,
      subset: 'benchmark test split',
      domain,
      images: test.length,
      classes: C,
      accuracy: accuracy(test.map((k) => predicted[k]), test.map((k) => labels[k])),
      chance: 1 / C,
    });
    rows.push({ dataset: `EmojiDomains ${d.name}`, subset: 'all benchmark concepts', domain, images: labels.length, classes: C, accuracy: accuracy(predicted, labels), chance: 1 / C });
  }

  if (opts.fashion === false) return rows;
  const fashion = await loadFashionMnist({ onProgress: opts.onProgress });
  const n = Math.min(opts.fashionTestLimit ?? fashion.test.labels.length, fashion.test.labels.length);
  const idx = Array.from({ length: n }, (_, i) => i);
  const fEmbeds = await encodeSet(model, fashion.test, idx, 'encode fashion-mnist test', opts);
  const fClasses = await model.encodeTexts(fashion.test.classNames.map(ZERO_SHOT_PROMPT));
  const fPred = zeroShotPredictions(fEmbeds, fClasses, model.embedDim);
  const K = fashion.test.classNames.length;
  rows.push({
    dataset: 'Fashion-MNIST',
    subset: n === fashion.test.labels.length ? 'test set' : `first ${n} test images`,
    domain: domainExposure('fashion-mnist', opts.seenDomains),
    images: n, classes: K, accuracy: accuracy(fPred, idx.map((i) => fashion.test.labels[i])), chance: 1 / K,
  });
  return rows;
}

async function encodeSet(model: ClipModel, set: ImageSet, indices: number[], stage: string, opts: EvaluateOptions): Promise<Float32Array> {
  const per = set.width * set.height * 3;
  const batch = opts.batchSize ?? 32;
  const out = new Float32Array(indices.length * model.embedDim);
  opts.onProgress?.({ stage, done: 0, total: indices.length });
  for (let s = 0; s < indices.length; s += batch) {
    const chunk = indices.slice(s, s + batch).map((i) => ({ width: set.width, height: set.height, data: set.images.subarray(i * per, (i + 1) * per) }));
    out.set(await model.encodeRgbaImages(chunk), s * model.embedDim);
    opts.onProgress?.({ stage, done: s + chunk.length, total: indices.length });
  }
  return out;
}

export function formatEvaluationTable(rows: readonly EvaluationRow[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines = [
    '| dataset | subset | domain in pretraining | images | classes | zero-shot top-1 | chance | x chance |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.dataset} | ${r.subset} | ${r.domain} | ${r.images} | ${r.classes} | ${pct(r.accuracy)} | ${pct(r.chance)} | ${(r.accuracy / r.chance).toFixed(1)} |`),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { domains: { type: 'string' }, derived: { type: 'boolean' }, 'no-fashion': { type: 'boolean' } },
  });
  const dir = path.resolve(positionals[0] ?? DEFAULT_MODEL_DIR);
  const derived = EMOJI_DOMAIN_NAMES.filter((n) => parseEmojiDomainName(n).derivation !== null);
  const emojiDomains = values.domains?.split(',').filter(Boolean) ?? (values.derived ? derived : undefined);
  const started = performance.now();
  const rows = await evaluateModelDir(dir, { onProgress: consoleProgress('evaluate'), emojiDomains, fashion: !values['no-fashion'] });
  console.log(`\nZero-shot top-1 of ${dir} (prompt "a picture of a {class}"):\n`);
  console.log(formatEvaluationTable(rows));
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
