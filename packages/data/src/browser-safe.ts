// The parts of @clipfed/data that run anywhere (no Node built-ins): types, the seeded RNG, long-tail
// sampling and partitions. Browser code imports '@clipfed/data/browser-safe'.
export type { ImageSet, ProgressFn } from './image-set';
export { ImageSetError, imageCount, subsetImages } from './image-set';
export { SeededRandom } from './random';
export { PartitionError, longTailClassCounts, sampleLongTail, indicesByClass } from './partition/long-tail';
export { dirichletPartition, cutEqualParts, type DirichletPartitionOptions } from './partition/dirichlet';
export { perDomainPartition, type DomainShard } from './partition/per-domain';
export { SPLIT_TRAIN, SPLIT_VAL, SPLIT_TEST, SPLIT_PRETRAIN, type SplitCode } from './emoji/split';
export { EMOJI_CLASSES, type EmojiClassSpec } from './emoji/classes';
export { EMOJI_STYLES, type EmojiStyle } from './emoji/styles';
export {
  DERIVED_DOMAIN_KINDS,
  DERIVED_DOMAIN_LABELS,
  EMOJI_DOMAIN_NAMES,
  derivedDomainName,
  parseEmojiDomainName,
  deriveImage,
  deriveImages,
  invertImage,
  silhouetteImage,
  sketchImage,
  type DerivedDomainKind,
  type EmojiDomainSpec,
} from './emoji/derived';
export { FASHION_MNIST_CLASSES } from './fashion-mnist/classes';
