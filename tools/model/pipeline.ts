import * as tf from '@tensorflow/tfjs';
import { ClipTokenizer } from '@clipfed/clip';
import { SeededRandom, type ProgressFn } from '@clipfed/data';
import { readFileSync } from 'node:fs';
import { BACKBONE_CHANNELS } from './backbone';
import type { BuildConfig } from './build-config';
import { EMBED_DIM, CONTEXT_LENGTH } from './export-onnx';
import { featureStats, ImageHead } from './image-tower';
import { TOKENIZER_SOURCE } from './model-folder';
import type { PretrainData } from './pretrain-data';
import { BagTextTower } from './text-bag';
import { tokenBatch, type TextTower } from './text-tower';
import { TransformerTextTower } from './text-transformer';
import { buildTextVocab, validLength, type TextVocab } from './text-vocab';
import { trainClip, type TrainResult } from './train-clip';

export interface TrainedTowers {
  tokenizer: ClipTokenizer;
  vocab: TextVocab;
  image: ImageHead;
  text: TextTower;
  result: TrainResult;
  /** TextVocab rows of a caption, SOT..EOT. */
  rowsOf(text: string): Int32Array;
  /** Embeddings of the training-time (tfjs) towers, for checks and scaling. */
  embedFeatures(features: Float32Array): Float32Array;
  embedTexts(texts: readonly string[]): Float32Array;
  dispose(): void;
}

export function loadTokenizer(): ClipTokenizer {
  return ClipTokenizer.fromTokenizerJson(readFileSync(TOKENIZER_SOURCE, 'utf8'));
}

/** Builds the vocabulary and towers from the config, then trains them on the pretraining data. */
export function trainTowers(data: PretrainData, cfg: BuildConfig, onProgress?: ProgressFn): TrainedTowers {
  const tokenizer = loadTokenizer();
  const cache = new Map<string, number[]>();
  const ids = (text: string): number[] => {
    let a = cache.get(text);
    if (!a) {
      const t = tokenizer.tokenize(text, CONTEXT_LENGTH);
      a = Array.from(t.subarray(0, validLength(t)));
      cache.set(text, a);
    }
    return a;
  };
  const captions = new Set(data.inputs.flatMap((x) => x.source.allCaptions().map((c) => c.text)));
  const vocab = buildTextVocab([...captions].map(ids), tokenizer.vocabSize, cfg.hashRows);
  const rowsOf = (text: string) => Int32Array.from(ids(text), (id) => vocab.remap[id]);

  const rng = new SeededRandom(cfg.seed);
  const image = new ImageHead(
    { kind: cfg.imageHead, inputDim: BACKBONE_CHANNELS, embedDim: EMBED_DIM, hiddenDim: cfg.imageHidden, dropout: cfg.imageDropout },
    featureStats(data.allTrainingFeatures, BACKBONE_CHANNELS),
    rng,
  );
  const text: TextTower =
    cfg.text === 'bag'
      ? new BagTextTower(vocab, { tokenDim: cfg.textWidth, hiddenDim: cfg.textHidden, embedDim: EMBED_DIM, contextLength: CONTEXT_LENGTH, seed: cfg.seed + 1 }, rng)
      : new TransformerTextTower(
          vocab,
          { width: cfg.textWidth, heads: cfg.textHeads, layers: cfg.textLayers, embedDim: EMBED_DIM, contextLength: CONTEXT_LENGTH, seed: cfg.seed + 1 },
          rng,
        );
  const result = trainClip(data.inputs, image, text, rowsOf, {
    steps: cfg.steps,
    batchSize: cfg.batchSize,
    learningRate: cfg.learningRate,
    warmupSteps: cfg.warmupSteps,
    weightDecay: cfg.weightDecay,
    seed: cfg.seed + 2,
    onProgress,
  });
  return {
    tokenizer,
    vocab,
    image,
    text,
    result,
    rowsOf,
    embedFeatures: (features) => {
      const n = features.length / BACKBONE_CHANNELS;
      const out = new Float32Array(n * EMBED_DIM);
      for (let s = 0; s < n; s += 1024) {
        const m = Math.min(1024, n - s);
        const chunk = features.subarray(s * BACKBONE_CHANNELS, (s + m) * BACKBONE_CHANNELS);
        out.set(tf.tidy(() => image.forward(tf.tensor2d(chunk, [m, BACKBONE_CHANNELS])).dataSync() as Float32Array), s * EMBED_DIM);
      }
      return out;
    },
    embedTexts: (texts) => tf.tidy(() => text.forward(tokenBatch(texts.map(rowsOf)), false).dataSync() as Float32Array),
    dispose: () => {
      image.dispose();
      text.dispose();
    },
  };
}

/** The factor that brings the mean L2 norm of rows of `embeds` to `target`. */
export function scaleToNorm(embeds: Float32Array, dim: number, target: number): number {
  const n = embeds.length / dim;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += embeds[i * dim + d] ** 2;
    sum += Math.sqrt(s);
  }
  return target / (sum / n);
}
