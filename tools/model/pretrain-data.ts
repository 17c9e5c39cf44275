import { loadEmojiDomains, loadFashionMnist, type EmojiDomains, type ImageSet, type ProgressFn } from '@clipfed/data';
import { parsePreprocessorConfig } from '@clipfed/clip';
import { BACKBONE_CHANNELS, buildBackboneOnnx } from './backbone';
import { balancedSubset, emojiPretrainIndices, emojiSource, fashionSource, type EmojiPretrainImage } from './corpus';
import { imageFeatures } from './image-features';
import { preprocessorConfigJson } from './preprocessor';
import type { TrainingInput } from './train-clip';

export interface PretrainDataOptions {
  imageSize: number;
  /** Fashion-MNIST training images per class used for pretraining (of 6000). */
  fashionPerClass: number;
  /** Share of training batches drawn from EmojiDomains (the rest from Fashion-MNIST). */
  emojiWeight: number;
  cacheDir: string;
  seed: number;
  onProgress?: ProgressFn;
}

/** Backbone features of every emoji image in one style (pretraining and benchmark concepts). */
export interface StyleFeatures {
  style: string;
  features: Float32Array;
}

export interface PretrainData {
  emoji: EmojiDomains;
  fashionTrain: ImageSet;
  fashionIndices: Int32Array;
  emojiStyles: StyleFeatures[];
  inputs: TrainingInput[];
  /** Backbone features of the whole training input, in `inputs` order, for standardisation. */
  allTrainingFeatures: Float32Array;
}

/**
 * What the built-in model learns from: EmojiDomains pretraining concepts (every style) and a
 * class-balanced subset of the Fashion-MNIST training set. Benchmark concepts of EmojiDomains
 * (train, val and test in every style) and the Fashion-MNIST test set are never used.
 */
export async function loadPretrainData(opts: PretrainDataOptions): Promise<PretrainData> {
  const graph = buildBackboneOnnx(opts.imageSize);
  const preprocessor = parsePreprocessorConfig(preprocessorConfigJson(opts.imageSize));
  const emoji = await loadEmojiDomains({ onProgress: opts.onProgress });
  const fashion = await loadFashionMnist({ onProgress: opts.onProgress });
  const common = { graph, dim: BACKBONE_CHANNELS, preprocessor, cacheDir: opts.cacheDir, onProgress: opts.onProgress };

  const emojiStyles: StyleFeatures[] = [];
  for (const d of emoji.domains) {
    emojiStyles.push({ style: d.name, features: await imageFeatures({ ...common, set: d.set, stage: `features ${d.name}` }) });
  }
  const fashionIndices = balancedSubset(fashion.train.labels, fashion.train.classNames.length, opts.fashionPerClass, opts.seed);
  const fashionFeatures = await imageFeatures({ ...common, set: fashion.train, indices: fashionIndices, stage: 'features fashion-mnist train subset' });

  // Pretraining images of every style, with their features gathered into one matrix.
  const classOf = new Map(emoji.catalog.map((c) => [c.name, c.className]));
  const images: EmojiPretrainImage[] = [];
  const rows: Float32Array[] = [];
  emoji.domains.forEach((d, s) => {
    for (const i of emojiPretrainIndices(d.split)) {
      images.push({ concept: d.concepts[i], className: classOf.get(d.concepts[i])! });
      rows.push(emojiStyles[s].features.subarray(i * BACKBONE_CHANNELS, (i + 1) * BACKBONE_CHANNELS));
    }
  });
  const emojiFeatures = new Float32Array(rows.length * BACKBONE_CHANNELS);
  rows.forEach((r, k) => emojiFeatures.set(r, k * BACKBONE_CHANNELS));

  const inputs: TrainingInput[] = [
    { source: emojiSource(emoji, images, opts.emojiWeight), features: emojiFeatures },
    { source: fashionSource(fashion.train, fashionIndices, 1 - opts.emojiWeight), features: fashionFeatures },
  ];
  const allTrainingFeatures = new Float32Array(emojiFeatures.length + fashionFeatures.length);
  allTrainingFeatures.set(emojiFeatures);
  allTrainingFeatures.set(fashionFeatures, emojiFeatures.length);
  return { emoji, fashionTrain: fashion.train, fashionIndices, emojiStyles, inputs, allTrainingFeatures };
}
