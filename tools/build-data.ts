// Builds the project's datasets: renders (or loads from the cache) EmojiDomains and reads
// Fashion-MNIST, then prints what it holds. `npm run build:data -- --help` lists the options.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  consoleProgress,
  DatasetMissingError,
  DEFAULT_EMOJI_IMAGE_SIZE,
  defaultFashionMnistDir,
  dirichletPartition,
  encodePngRgb,
  loadEmojiDomains,
  loadFashionMnist,
  longTailClassCounts,
  sampleLongTail,
  SPLIT_PRETRAIN,
  SPLIT_TEST,
  SPLIT_TRAIN,
  SPLIT_VAL,
  tileImages,
  type EmojiDomains,
} from '@clipfed/data';

const HELP = `Usage: npm run build:data -- [options]
  --size <px>             EmojiDomains image side (default ${DEFAULT_EMOJI_IMAGE_SIZE})
  --styles <a,b,...>      EmojiDomains styles (default: all five), or derived domains <style>-sketch,
                          <style>-silhouette, <style>-inverted (e.g. noto,noto-sketch)
  --cache <dir>           EmojiDomains cache folder (default <repo>/.cache/emoji-domains)
  --fashion-mnist <dir>   Fashion-MNIST folder (default $FASHION_MNIST_DIR or /usr/share/datasets/fashion-mnist)
  --contact-sheet <png>   also write a PNG with the first concepts of each class in every style (one row per style)
  --help`;

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function summariseEmoji(data: EmojiDomains): void {
  console.log(`\nEmojiDomains: ${data.classNames.length} classes, ${data.pretrainConcepts.length + data.benchmarkConcepts.length} concepts ` +
    `(${data.pretrainConcepts.length} pretraining, ${data.benchmarkConcepts.length} benchmark), ${data.imageSize}x${data.imageSize} RGB`);
  const count = (split: Uint8Array, code: number) => split.reduce((s, x) => s + (x === code ? 1 : 0), 0);
  console.log(table(
    ['style', 'images', 'pretrain', 'train', 'val', 'test', 'skipped', 'licence'],
    data.domains.map((d) => [d.name, d.concepts.length, count(d.split, SPLIT_PRETRAIN), count(d.split, SPLIT_TRAIN), count(d.split, SPLIT_VAL), count(d.split, SPLIT_TEST), d.skipped.length, d.license]),
  ));
  console.log('');
  console.log(table(
    ['class', 'concepts', 'pretrain', 'benchmark'],
    data.classDescriptions.map((c) => [c.name, c.pretrainConcepts + c.benchmarkConcepts, c.pretrainConcepts, c.benchmarkConcepts]),
  ));
  for (const d of data.domains) for (const s of d.skipped) console.log(`skipped in ${d.name}: ${s.concept} (${s.reason})`);
}

function writeContactSheet(data: EmojiDomains, path: string): void {
  const perClass = 3;
  const tiles: Uint8Array[] = [];
  const size = data.imageSize;
  const per = size * size * 3;
  const picks = data.classNames.flatMap((_, c) => data.catalog.filter((x) => x.className === data.classNames[c]).slice(0, perClass).map((x) => x.name));
  for (const d of data.domains) {
    const at = new Map(d.concepts.map((n, i) => [n, i]));
    for (const name of picks) {
      const i = at.get(name);
      tiles.push(i === undefined ? new Uint8Array(per).fill(200) : d.set.images.subarray(i * per, (i + 1) * per));
    }
  }
  const sheet = tileImages(tiles, size, picks.length);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePngRgb(sheet.rgb, sheet.width, sheet.height));
  console.log(`contact sheet: ${path} (${picks.length} concepts x ${data.domains.length} styles)`);
}

async function summariseFashionMnist(dir: string): Promise<void> {
  const started = performance.now();
  const { train, test } = await loadFashionMnist({ dir, onProgress: consoleProgress('Fashion-MNIST') });
  const seconds = (performance.now() - started) / 1000;
  const perClass = new Array(train.classNames.length).fill(0);
  for (const y of train.labels) perClass[y]++;
  console.log(`\nFashion-MNIST (${dir}): ${train.labels.length} train + ${test.labels.length} test, ${train.width}x${train.height}, read in ${seconds.toFixed(1)} s`);
  console.log(`train images per class: ${perClass.join(', ')}`);
  const nMax = Math.floor(train.labels.length / train.classNames.length);
  const rows: (string | number)[][] = [];
  for (const imbalance of [10, 50, 100]) {
    const counts = longTailClassCounts(nMax, train.classNames.length, imbalance);
    const lt = sampleLongTail(train.labels, train.classNames.length, imbalance, 7);
    const clients = dirichletPartition(lt, train.labels, { numClients: 20, alpha: 0.5, seed: 7 });
    const sizes = [...new Set(clients.map((c) => c.length))].sort((a, b) => b - a);
    const classesPerClient = clients.map((c) => new Set([...c].map((i) => train.labels[i])).size);
    rows.push([`IF ${imbalance}`, lt.length, counts.join(' '), sizes.join('/'), `${Math.min(...classesPerClient)}-${Math.max(...classesPerClient)}`]);
  }
  console.log(table(['Fashion-MNIST-LT', 'images', 'per class (head to tail)', 'client size (20)', 'classes per client (alpha 0.5)'], rows));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      styles: { type: 'string' },
      cache: { type: 'string' },
      'fashion-mnist': { type: 'string' },
      'contact-sheet': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(HELP);
  const imageSize = values.size === undefined ? undefined : Number(values.size);

  const started = performance.now();
  const data = await loadEmojiDomains({
    imageSize,
    cacheDir: values.cache,
    styles: values.styles?.split(',').map((s) => s.trim()),
    onProgress: consoleProgress('EmojiDomains'),
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nEmojiDomains ready in ${seconds.toFixed(1)} s (rendered: ${data.cache.rendered.join(', ') || 'none'}; from cache: ${data.cache.loaded.join(', ') || 'none'}; cache ${data.cache.dir})`);
  summariseEmoji(data);
  if (values['contact-sheet']) writeContactSheet(data, values['contact-sheet']);

  const fmDir = values['fashion-mnist'] ?? defaultFashionMnistDir();
  try {
    await summariseFashionMnist(fmDir);
  } catch (e) {
    if (!(e instanceof DatasetMissingError)) throw e;
    console.warn(`\nFashion-MNIST skipped: ${e.message}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : e);
  process.exitCode = 1;
});
