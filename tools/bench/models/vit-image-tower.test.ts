import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '@clipfed/clip/onnx-writer';
import { buildVitImageTower, CLIP_VIT_B32, vitMacsPerImage, vitParameterCount, type VitShape } from './vit-image-tower';

const TINY: VitShape = { imageSize: 32, patch: 8, width: 32, layers: 2, heads: 4, mlpRatio: 4, embedDim: 16 };

describe('ViT image tower with CLIP shapes', () => {
  it('has the parameter count and cost of CLIP ViT-B/32', () => {
    expect(vitParameterCount(CLIP_VIT_B32) / 1e6).toBeCloseTo(87.85, 1);
    expect(vitMacsPerImage(CLIP_VIT_B32) / 1e9).toBeCloseTo(4.4, 1);
  });

  it('builds a graph onnxruntime runs: [b,3,S,S] -> finite [b,embedDim], one parameter set per declared weight', async () => {
    const bytes = buildVitImageTower(TINY);
    expect(decodeModel(bytes).parameterCount).toBe(vitParameterCount(TINY) + SHAPE_CONSTANTS);
    const session = await ort.InferenceSession.create(bytes);
    const pixels = new Float32Array(2 * 3 * 32 * 32).map((_, i) => Math.sin(i));
    const out = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [2, 3, 32, 32]) });
    const emb = out.image_embeds;
    expect(emb.dims).toEqual([2, 16]);
    const data = emb.data as Float32Array;
    expect(data.every(Number.isFinite)).toBe(true);
    // Different images give different embeddings.
    expect(Math.abs(data[0] - data[16])).toBeGreaterThan(1e-6);
    await session.release();
  });
});

/** Values the graph stores besides the weights: reshape shapes, split sizes, slice bounds, scales, the class index. */
const SHAPE_CONSTANTS = 3 + 1 + 1 + 2 + 4 + 3 + 3 + 1 + 1 + 1;
