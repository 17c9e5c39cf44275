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

export interface PretrainData {
  emoji: EmojiDomains;
  fashionTrain: ImageSet;
  fashionIndices: Int32Array;
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

  const fashionIndices = balancedSubset(fashion.train.labels, fashion.train.classNames.length, opts.fashionPerClass, opts.seed);
  const fashionFeatures = await imageFeatures({ ...common, set: fashion.train, indices: fashionIndices, stage: 'features fashion-mnist train subset' });

  // Pretraining images of every style (benchmark concepts are never even encoded here).
  const classOf = new Map(emoji.catalog.map((c) => [c.name, c.className]));
  const images: EmojiPretrainImage[] = [];
  const perStyle: Float32Array[] = [];
  for (const d of emoji.domains) {
    const indices = emojiPretrainIndices(d.split);
    for (const i of indices) images.push({ concept: d.concepts[i], className: classOf.get(d.concepts[i])! });
    perStyle.push(await imageFeatures({ ...common, set: d.set, indices, stage: `features ${d.name} pretraining concepts` }));
  }
  const emojiFeatures = new Float32Array(images.length * BACKBONE_CHANNELS);
  let offset = 0;
  for (const f of perStyle) {
    emojiFeatures.set(f, offset);
    offset += f.length;
  }

  const inputs: TrainingInput[] = [
    { source: emojiSource(emoji, images, opts.emojiWeight), features: emojiFeatures },
    { source: fashionSource(fashion.train, fashionIndices, 1 - opts.emojiWeight), features: fashionFeatures },
  ];
  const allTrainingFeatures = new Float32Array(emojiFeatures.length + fashionFeatures.length);
  allTrainingFeatures.set(emojiFeatures);
  allTrainingFeatures.set(fashionFeatures, emojiFeatures.length);
  return { emoji, fashionTrain: fashion.train, fashionIndices, inputs, allTrainingFeatures };
}
