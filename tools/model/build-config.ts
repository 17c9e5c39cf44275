import type { ImageHeadKind } from './image-tower';

export type TextTowerKind = 'bag' | 'transformer';

/** Everything that decides the built-in model's weights. */
export interface BuildConfig {
  /**
   * EmojiDomains styles whose pretraining concepts the model is trained on. The other styles are
   * never shown to it, so they are domains it has not seen (a real style gap for federated methods).
   */
  pretrainStyles: readonly string[];
  /** Square input side of the image tower in pixels. */
  imageSize: number;
  fashionPerClass: number;
  emojiWeight: number;
  imageHead: ImageHeadKind;
  imageHidden: number;
  imageDropout: number;
  text: TextTowerKind;
  /** Token embedding width (bag) or model width (transformer). */
  textWidth: number;
  textHidden: number;
  textLayers: number;
  textHeads: number;
  hashRows: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  weightDecay: number;
  seed: number;
  /** Mean L2 norm the exported embeddings are scaled to (CLIP ViT-B/32's are about 10). */
  embeddingNorm: number;
}

/** The configuration the committed models/builtin was built with (see docs/MODEL.md). */
export const BUILD_CONFIG: BuildConfig = {
  // openmoji (outlined line art) and fluent-high-contrast (black and white) stay unseen.
  pretrainStyles: ['noto', 'twemoji', 'fluent-flat'],
  imageSize: 128,
  fashionPerClass: 500,
  emojiWeight: 0.5,
  imageHead: 'mlp',
  imageHidden: 1024,
  imageDropout: 0.2,
  text: 'bag',
  textWidth: 256,
  textHidden: 512,
  textLayers: 1,
  textHeads: 4,
  hashRows: 256,
  steps: 400,
  batchSize: 256,
  learningRate: 1e-3,
  warmupSteps: 100,
  weightDecay: 0.05,
  seed: 1,
  embeddingNorm: 10,
};
