/**
 * The shapes of openai/clip-vit-base-patch32 (its config.json), and a small stand-in with the same structure for
 * tests. The rehearsal model has exactly these shapes, so it downloads, loads and runs like the real one.
 */
export interface TransformerShape {
  width: number;
  layers: number;
  heads: number;
  /** Width of the MLP's hidden layer (4 x width in CLIP). */
  mlp: number;
}

export interface ClipArchitecture {
  imageSize: number;
  patchSize: number;
  vision: TransformerShape;
  text: TransformerShape & { vocab: number; contextLength: number };
  projectionDim: number;
}

export const CLIP_VIT_B32: ClipArchitecture = {
  imageSize: 224,
  patchSize: 32,
  vision: { width: 768, layers: 12, heads: 12, mlp: 3072 },
  text: { width: 512, layers: 12, heads: 8, mlp: 2048, vocab: 49408, contextLength: 77 },
  projectionDim: 512,
};

/** The same graph in miniature: unit tests build and run both variants in milliseconds. */
export const CLIP_TINY: ClipArchitecture = {
  imageSize: 64,
  patchSize: 32,
  vision: { width: 32, layers: 2, heads: 4, mlp: 64 },
  text: { width: 32, layers: 2, heads: 4, mlp: 64, vocab: 49408, contextLength: 77 },
  projectionDim: 16,
};
