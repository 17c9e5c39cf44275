import { loadEmojiDomains, loadFashionMnist, type EmojiDomains, type ImageSet, type ProgressFn } from '@clipfed/data';
import { parsePreprocessorConfig } from '@clipfed/clip';
import { BACKBONE_CHANNELS, buildBackboneOnnx } from './backbone';
import { balancedSubset, emojiPretrainIndices, emojiSource, fashionSource, type EmojiPretrainImage } from './corpus';
import { imageFeatures } from './image-features';
import { preprocessorConfigJson } from './preprocessor';
import type { TrainingInput } from './train-clip';

export interface PretrainDataOptions {
  /** EmojiDomains styles to pretrain on (their pretraining concepts only). */
  pretrainStyles: readonly string[];
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
  /** Every style (for evaluation); only `pretrainStyles` feed training. */
  emoji: EmojiDomains;
  /** The styles whose pretraining concepts were trained on, in catalogue order. */
  pretrainStyles: string[];
  /** The styles never shown to the model in any form. */
  unseenStyles: string[];
  fashionTrain: ImageSet;
  fashionIndices: Int32Array;
  inputs: TrainingInput[];
  /** Backbone features of the whole training input, in `inputs` order, for standardisation. */
  allTrainingFeatures: Float32Array;
}

/**
 * What the built-in model learns from: EmojiDomains pretraining concepts in the chosen styles and a
 * class-balanced subset of the Fashion-MNIST training set. Benchmark concepts of EmojiDomains
 * (train, val and test in every style), every image of the other styles and the Fashion-MNIST test
 * set are never used.
 */
export async function loadPretrainData(opts: PretrainDataOptions): Promise<PretrainData> {
  const graph = buildBackboneOnnx(opts.imageSize);
  const preprocessor = parsePreprocessorConfig(preprocessorConfigJson(opts.imageSize));
  const emoji = await loadEmojiDomains({ onProgress: opts.onProgress });
  const known = emoji.domains.map((d) => d.name);
  for (const s of opts.pretrainStyles) if (!known.includes(s)) throw new Error(`unknown pretraining style "${s}"; styles: ${known.join(', ')}`);
  if (opts.pretrainStyles.length === 0) throw new Error('pretrainStyles is empty');
  const trainedDomains = emoji.domains.filter((d) => opts.pretrainStyles.includes(d.name));
  const fashion = await loadFashionMnist({ onProgress: opts.onProgress });
  const common = { graph, dim: BACKBONE_CHANNELS, preprocessor, cacheDir: opts.cacheDir, onProgress: opts.onProgress };

  const fashionIndices = balancedSubset(fashion.train.labels, fashion.train.classNames.length, opts.fashionPerClass, opts.seed);
  const fashionFeatures = await imageFeatures({ ...common, set: fashion.train, indices: fashionIndices, stage: 'features fashion-mnist train subset' });

  // Pretraining images of the chosen styles (benchmark concepts and unseen styles are never even encoded here).
  const classOf = new Map(emoji.catalog.map((c) => [c.name, c.className]));
  const images: EmojiPretrainImage[] = [];
  const perStyle: Float32Array[] = [];
  for (const d of trainedDomains) {
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
  const pretrainStyles = trainedDomains.map((d) => d.name);
  const unseenStyles = known.filter((s) => !pretrainStyles.includes(s));
  return { emoji, pretrainStyles, unseenStyles, fashionTrain: fashion.train, fashionIndices, inputs, allTrainingFeatures };
}
