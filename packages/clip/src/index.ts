export { ClipModel, type ClipLoadProgress, type ClipModelInfo, type ClipModelLoadOptions } from './model';
export { ModelLoadError, ImageDecodeError, type ModelLoadErrorCode } from './errors';
export {
  LAYOUT_HELP,
  MODEL_VARIANTS,
  towerFiles,
  parseManifest,
  type Manifest,
  type ManifestEntry,
  type ModelFileReader,
  type ModelVariant,
} from './model-files';
export type { OrtRuntime, OrtSession, OrtTensor, OrtValueMetadata, OrtSessionOptions } from './ort-runtime';
export { ClipTokenizer, TokenizerFormatError, CLIP_CONTEXT_LENGTH } from './tokenizer';
export {
  preprocessImage,
  parsePreprocessorConfig,
  PreprocessorConfigError,
  shortestEdgeSize,
  CLIP_IMAGE_MEAN,
  CLIP_IMAGE_STD,
  type PreprocessorConfig,
  type PreprocessOptions,
} from './preprocess';
export { ImageFormatError, type RgbaImage } from './image/rgba-image';
export { encodeRgbImages, type EncodeProgress, type ImageEncoder } from './encode-images';
