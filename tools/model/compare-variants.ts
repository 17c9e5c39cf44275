/**
 * Trains variants of the built-in model and compares their zero-shot accuracy on development
 * data that is neither pretraining data nor a benchmark test split:
 * - EmojiDomains benchmark concepts of the train and val splits (every style);
 * - 1 in 25 of the Fashion-MNIST training images left out of the pretraining subset.
 * The test splits are only used by tools/model/evaluate.ts on the finished model.
 *
 *   npx tsx tools/model/compare-variants.ts [--steps N] [variant ...]   (default: all variants below)
 *
 * A variant is a name from VARIANTS; each is BUILD_CONFIG with a few fields changed.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePreprocessorConfig } from '@clipfed/clip';
import { consoleProgress, SPLIT_TRAIN, SPLIT_VAL, type ProgressFn } from '@clipfed/data';
import { BACKBONE_CHANNELS, buildBackboneOnnx } from './backbone';
import { BUILD_CONFIG, type BuildConfig } from './build-config';
import { ZERO_SHOT_PROMPT } from './captions';
import { EMBED_DIM } from './export-onnx';
import { DEFAULT_FEATURE_CACHE_DIR } from './feature-cache';
import { imageFeatures } from './image-features';
import { trainTowers } from './pipeline';
import { preprocessorConfigJson } from './preprocessor';
import { loadPretrainData, type PretrainData } from './pretrain-data';
import { accuracy, zeroShotPredictions } from './zero-shot';

/** Each variant is BUILD_CONFIG with these fields changed; the first five differ from the baseline in one thing. */
const BASELINE: Partial<BuildConfig> = { imageHead: 'linear', imageSize: 128, text: 'bag', textWidth: 256 };
export const VARIANTS: Record<string, Partial<BuildConfig>> = {
  'baseline: bag text, linear head, 128 px': BASELINE,
  'transformer 1 layer': { ...BASELINE, text: 'transformer', textWidth: 128, textLayers: 1, textHeads: 4 },
  'transformer 2 layers': { ...BASELINE, text: 'transformer', textWidth: 128, textLayers: 2, textHeads: 4 },
  'mlp image head (built-in)': { ...BASELINE, imageHead: 'mlp' },
  'image 96 px': { ...BASELINE, imageSize: 96 },
  'image 160 px': { ...BASELINE, imageSize: 160 },
};

export interface DevResult {
  variant: string;
  emoji: Record<string, number>;
  emojiMean: number;
  fashion: number;
  trainSeconds: number;
  textParameters: number;
  imageParameters: number;
}

export async function devEvaluate(variant: string, cfg: BuildConfig, data: PretrainData, onProgress?: ProgressFn): Promise<DevResult> {
  const towers = trainTowers(data, cfg, onProgress);
  try {
    const emojiClasses = towers.embedTexts(data.emoji.classNames.map(ZERO_SHOT_PROMPT));
    const common = {
      graph: buildBackboneOnnx(cfg.imageSize),
      dim: BACKBONE_CHANNELS,
      preprocessor: parsePreprocessorConfig(preprocessorConfigJson(cfg.imageSize)),
      cacheDir: DEFAULT_FEATURE_CACHE_DIR,
      onProgress,
    };
    const emoji: Record<string, number> = {};
    for (const d of data.emoji.domains) {
      const sel: number[] = [];
      d.split.forEach((v, i) => {
        if (v === SPLIT_TRAIN || v === SPLIT_VAL) sel.push(i);
      });
      const f = await imageFeatures({ ...common, set: d.set, indices: sel, stage: `features ${d.name} dev` });
      emoji[d.name] = accuracy(zeroShotPredictions(towers.embedFeatures(f), emojiClasses, EMBED_DIM), sel.map((i) => d.set.labels[i]));
    }
    const dev = fashionDevIndices(data);
    const features = await imageFeatures({ ...common, set: data.fashionTrain, indices: dev, stage: 'features fashion-mnist dev' });
    const fashionClasses = towers.embedTexts(data.fashionTrain.classNames.map(ZERO_SHOT_PROMPT));
    const fashion = accuracy(zeroShotPredictions(towers.embedFeatures(features), fashionClasses, EMBED_DIM), dev.map((i) => data.fashionTrain.labels[i]));
    const values = Object.values(emoji);
    return {
      variant,
      emoji,
      emojiMean: values.reduce((a, b) => a + b, 0) / values.length,
      fashion,
      trainSeconds: towers.result.seconds,
      textParameters: towers.text.parameterCount(),
      imageParameters: towers.image.parameterCount(),
    };
  } finally {
    towers.dispose();
  }
}

/** Fashion-MNIST training images outside the pretraining subset, 1 in 25 (2,000 to 2,400). */
function fashionDevIndices(data: PretrainData): number[] {
  const used = new Set(data.fashionIndices);
  const rest: number[] = [];
  for (let i = 0; i < data.fashionTrain.labels.length; i++) if (!used.has(i)) rest.push(i);
  return rest.filter((_, k) => k % 25 === 0);
}

export function formatDevTable(results: readonly DevResult[]): string {
  const styles = Object.keys(results[0]?.emoji ?? {});
  const pct = (x: number) => (100 * x).toFixed(1);
  return [
    `| variant | ${styles.join(' | ')} | emoji mean | Fashion-MNIST | text params | image params | train s |`,
    `| --- | ${styles.map(() => '---:').join(' | ')} | ---: | ---: | ---: | ---: | ---: |`,
    ...results.map(
      (r) =>
        `| ${r.variant} | ${styles.map((s) => pct(r.emoji[s])).join(' | ')} | ${pct(r.emojiMean)} | ${pct(r.fashion)} | ${r.textParameters} | ${r.imageParameters} | ${r.trainSeconds.toFixed(0)} |`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stepsAt = args.indexOf('--steps');
  const steps = stepsAt >= 0 ? Number(args.splice(stepsAt, 2)[1]) : BUILD_CONFIG.steps;
  if (!Number.isInteger(steps) || steps < 1) throw new Error('--steps needs a positive integer');
  const names = args.length > 0 ? args : Object.keys(VARIANTS);
  for (const n of names) if (!(n in VARIANTS)) throw new Error(`unknown variant "${n}"; choose from: ${Object.keys(VARIANTS).join(', ')}`);
  await tf.setBackend('wasm');
  const progress = consoleProgress('compare');
  const results: DevResult[] = [];
  for (const name of names) {
    const cfg = { ...BUILD_CONFIG, steps, ...VARIANTS[name] };
    const data = await loadPretrainData({ ...cfg, cacheDir: DEFAULT_FEATURE_CACHE_DIR, onProgress: progress });
    const r = await devEvaluate(name, cfg, data, progress);
    results.push(r);
    console.log(`DEV ${JSON.stringify(r)}`);
  }
  console.log(`\nZero-shot top-1 (%) on development data (not test splits), ${steps} training steps:\n\n${formatDevTable(results)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}
