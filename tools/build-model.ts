/**
 * Builds the built-in CLIP-format model into models/builtin (or --out DIR):
 *   1. converts nsfwjs' MobileNetV2 to ONNX and computes its features for the pretraining images
 *      (cached under .cache/builtin-model);
 *   2. trains an image head and a text tower with a CLIP contrastive loss (tfjs, wasm, seeded);
 *   3. exports both towers to ONNX, checks them against the trained tfjs towers;
 *   4. writes the model folder (configs, tokenizer, licences, manifest with sha256);
 *   5. evaluates zero-shot accuracy through @clipfed/clip, as the product loads the model.
 *
 *   npm run build:model [-- --out DIR] [-- --cache-dir DIR] [-- --skip-eval]
 *
 * Backbone features are cached in .cache/builtin-model (or --cache-dir); a rebuild with the same
 * backbone, preprocessing and images reuses them.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePreprocessorConfig, preprocessImage } from '@clipfed/clip';
import { consoleProgress } from '@clipfed/data';
import { BACKBONE_CHANNELS, BACKBONE_MODEL, buildBackboneOnnx } from './model/backbone';
import { BUILD_CONFIG } from './model/build-config';
import { ZERO_SHOT_PROMPT } from './model/captions';
import { buildTextModel, buildVisionModel, CONTEXT_LENGTH, EMBED_DIM } from './model/export-onnx';
import { DEFAULT_FEATURE_CACHE_DIR } from './model/feature-cache';
import { DEFAULT_MODEL_DIR, evaluateModelDir, formatEvaluationTable } from './model/evaluate';
import { modelConfigJson } from './model/model-config';
import { listFiles, updateConfig, writeModelFolder } from './model/model-folder';
import { scaleToNorm, trainTowers } from './model/pipeline';
import { preprocessorConfigJson } from './model/preprocessor';
import { loadPretrainData } from './model/pretrain-data';
import { pixelFeeds, runOnnxOnce, verifyTextExport, verifyVisionExport } from './model/verify-export';
import { statSync } from 'node:fs';

const MAX_FOLDER_BYTES = 30 * 1024 * 1024;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const started = performance.now();
  const outDir = path.resolve(argValue('--out') ?? DEFAULT_MODEL_DIR);
  const cfg = BUILD_CONFIG;
  await tf.setBackend('wasm');
  const progress = consoleProgress('build-model');
  const seconds = () => (performance.now() - started) / 1000;

  const data = await loadPretrainData({
    pretrainStyles: cfg.pretrainStyles,
    imageSize: cfg.imageSize,
    fashionPerClass: cfg.fashionPerClass,
    emojiWeight: cfg.emojiWeight,
    cacheDir: path.resolve(argValue('--cache-dir') ?? DEFAULT_FEATURE_CACHE_DIR),
    seed: cfg.seed,
    onProgress: progress,
  });
  const featuresAt = seconds();

  const towers = trainTowers(data, cfg, progress);
  const trainedAt = seconds();

  // Scale both towers' outputs to CLIP-like norms; cosine similarity is unchanged.
  const imageScale = scaleToNorm(towers.embedFeatures(data.allTrainingFeatures), EMBED_DIM, cfg.embeddingNorm);
  const prompts = [...data.emoji.classNames, ...data.fashionTrain.classNames].map(ZERO_SHOT_PROMPT);
  const textScale = scaleToNorm(towers.embedTexts(prompts), EMBED_DIM, cfg.embeddingNorm);

  const visionModel = buildVisionModel(cfg.imageSize, towers.image, imageScale);
  const textModel = buildTextModel(towers.text, textScale);
  const preprocessorJson = preprocessorConfigJson(cfg.imageSize);
  const preprocessor = parsePreprocessorConfig(preprocessorJson);
  const sample = data.emoji.domains[0].set;
  const per = sample.width * sample.height * 3;
  const checkCount = 4;
  const pixels = new Float32Array(checkCount * 3 * cfg.imageSize * cfg.imageSize);
  for (let i = 0; i < checkCount; i++) {
    const img = { width: sample.width, height: sample.height, data: sample.images.subarray(i * per, (i + 1) * per) };
    pixels.set(preprocessImage(img, preprocessor), i * 3 * cfg.imageSize * cfg.imageSize);
  }
  const backboneFeatures = await runOnnxOnce(buildBackboneOnnx(cfg.imageSize), pixelFeeds(pixels, checkCount, cfg.imageSize));
  const visionDiff = await verifyVisionExport(towers.image, visionModel, pixels, backboneFeatures, checkCount, cfg.imageSize, imageScale);
  const checkTexts = [...prompts.slice(0, 4), 'a picture of a zebra', 'an emoji of a rocket!'];
  const textDiff = await verifyTextExport(towers.text, textModel, towers.vocab, towers.tokenizer.tokenizeBatch(checkTexts, CONTEXT_LENGTH), checkTexts.length, textScale);

  writeModelFolder(outDir, {
    visionModel,
    textModel,
    preprocessorConfig: preprocessorJson,
    config: modelConfigJson({
      cfg,
      backbone: BACKBONE_MODEL,
      backboneChannels: BACKBONE_CHANNELS,
      image: towers.image,
      text: towers.text,
      vocab: towers.vocab,
      logitScale: towers.result.logitScale,
      data,
    }),
  });
  const writtenAt = seconds();
  const params = { image: towers.image.parameterCount(), text: towers.text.parameterCount(), hash: towers.vocab.hashRows * cfg.textWidth };
  const training = { loss: towers.result.lossCurve.at(-1) ?? NaN, logitScale: towers.result.logitScale };
  towers.dispose();

  let table = '(evaluation skipped)';
  if (!process.argv.includes('--skip-eval')) {
    const rows = await evaluateModelDir(outDir, { onProgress: progress });
    table = formatEvaluationTable(rows);
    updateConfig(outDir, (c) => {
      (c.clipfed as Record<string, unknown>).zero_shot_evaluation = rows.map((r) => ({ ...r, accuracy: round(r.accuracy), chance: round(r.chance) }));
    });
  }
  const evaluatedAt = seconds();

  const files = listFiles(outDir).map((f) => ({ f, bytes: statSync(path.join(outDir, f)).size }));
  const total = files.reduce((s, x) => s + x.bytes, 0);
  console.log(`\nBuilt ${outDir}`);
  for (const { f, bytes } of files) console.log(`  ${f.padEnd(34)} ${(bytes / 1024).toFixed(0).padStart(7)} KiB`);
  console.log(`  total ${(total / 1024 / 1024).toFixed(2)} MiB`);
  console.log(`\nTrained parameters: image head ${params.image}, text tower ${params.text} (+ ${params.hash} fixed hash-row values)`);
  console.log(`Training: ${cfg.steps} steps, final loss ${training.loss.toFixed(3)}, logit scale ${training.logitScale.toFixed(1)}`);
  console.log(`Export check (relative max diff vs tfjs): vision ${visionDiff.toExponential(2)}, text ${textDiff.toExponential(2)}`);
  console.log(`\nZero-shot top-1 (prompt "a picture of a {class}"):\n\n${table}\n`);
  console.log(
    `Time: features ${featuresAt.toFixed(0)} s, training ${(trainedAt - featuresAt).toFixed(0)} s, export ${(writtenAt - trainedAt).toFixed(0)} s, ` +
      `evaluation ${(evaluatedAt - writtenAt).toFixed(0)} s, total ${evaluatedAt.toFixed(0)} s`,
  );
  if (total > MAX_FOLDER_BYTES) throw new Error(`the model folder is ${(total / 1024 / 1024).toFixed(1)} MiB, over the 30 MiB budget`);
}

const round = (x: number) => Math.round(x * 10000) / 10000;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}
