// @clipfed/data (Node): datasets and partitions. Browser code: '@clipfed/data/browser-safe'.
export * from './browser-safe';
export { consoleProgress } from './progress';
export { DatasetMissingError, defaultFashionMnistDir, loadFashionMnist, greyToRgb, FASHION_MNIST_ENV, FASHION_MNIST_DEBIAN_DIR } from './fashion-mnist/load';
export { IdxFormatError, parseIdx, encodeIdx, maybeGunzip, type IdxArray } from './fashion-mnist/idx';
export {
  loadEmojiDomains,
  defaultEmojiCacheDir,
  EmojiDomainsError,
  DEFAULT_EMOJI_IMAGE_SIZE,
  EMOJI_SPLIT_SEED,
  DERIVED_DOMAIN_FORMAT,
  type EmojiDomain,
  type EmojiDomains,
  type EmojiClassDescription,
  type LoadEmojiDomainsOptions,
} from './emoji/load';
export { buildEmojiCatalog, conceptFamily, KNOWN_RENDER_FAILURES, EmojiCatalogError, type EmojiConcept } from './emoji/catalog';
export { splitConcepts, type ConceptSplitOptions } from './emoji/split';
export { styleByName, UnknownStyleError } from './emoji/styles';
export { encodePngRgb, tileImages } from './png';
