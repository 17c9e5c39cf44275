import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '@clipfed/clip';
import { decodeModel } from '@clipfed/clip/onnx-writer';
import { SeededRandom } from '@clipfed/data';
import { readFileSync } from 'node:fs';
import { buildBackboneOnnx } from './backbone';
import { buildTextModel, buildVisionModel } from './export-onnx';
import { ImageHead } from './image-tower';
import { TOKENIZER_SOURCE } from './model-folder';
import { BagTextTower } from './text-bag';
import { TransformerTextTower } from './text-transformer';
import { buildTextVocab, validLength } from './text-vocab';
import { pixelFeeds, runOnnxOnce, verifyTextExport, verifyVisionExport } from './verify-export';

// Small towers with random weights: the exported graphs must compute what the tfjs towers compute.
describe('ONNX export of the trained towers', () => {
  let tokenizer: ClipTokenizer;
  beforeAll(async () => {
    await tf.setBackend('wasm');
    tokenizer = ClipTokenizer.fromTokenizerJson(readFileSync(TOKENIZER_SOURCE, 'utf8'));
  });

  const trained = ['a picture of a dog', 'a photo of a t-shirt', 'an emoji of a red apple, a kind of food'];
  // Unseen words (hash rows), a "!" (id 0, like padding) and a caption longer than any trained one.
  const probe = [...trained, 'a picture of a zebra!', 'wow! a cat', 'a picture of a dog a picture of a dog a picture of a dog'];

  function vocab() {
    return buildTextVocab(
      trained.map((t) => {
        const ids = tokenizer.tokenize(t);
        return Array.from(ids.subarray(0, validLength(ids)));
      }),
      tokenizer.vocabSize,
      16,
    );
  }

  it('bag-of-tokens text tower: same embeddings from the 77-token ONNX graph as from tfjs', async () => {
    const v = vocab();
    const tower = new BagTextTower(v, { tokenDim: 16, hiddenDim: 32, embedDim: 512, contextLength: 77, seed: 1 }, new SeededRandom(1));
    const bytes = buildTextModel(tower, 2.5);
    const summary = decodeModel(bytes);
    expect(summary.inputs).toEqual([{ name: 'input_ids', elemType: 7, shape: ['batch', 77] }]);
    expect(summary.outputs).toEqual([{ name: 'text_embeds', elemType: 1, shape: ['batch', 512] }]);
    expect(await verifyTextExport(tower, bytes, v, tokenizer.tokenizeBatch(probe), probe.length, 2.5)).toBeLessThan(1e-4);
    tower.dispose();
  });

  it('transformer text tower: same embeddings from the ONNX graph as from tfjs', async () => {
    const v = vocab();
    const tower = new TransformerTextTower(v, { width: 16, heads: 2, layers: 2, embedDim: 512, contextLength: 77, seed: 1 }, new SeededRandom(2));
    const bytes = buildTextModel(tower, 1);
    expect(await verifyTextExport(tower, bytes, v, tokenizer.tokenizeBatch(probe), probe.length, 1)).toBeLessThan(1e-4);
    tower.dispose();
  });

  it('vision graph = backbone followed by the head, for linear and MLP heads', async () => {
    const rng = new SeededRandom(3);
    const stats = { mean: Float32Array.from({ length: 1792 }, () => rng.next()), std: Float32Array.from({ length: 1792 }, () => 0.2 + rng.next()) };
    const size = 32;
    const pixels = Float32Array.from({ length: 2 * 3 * size * size }, () => rng.next() * 2 - 1);
    const features = await runOnnxOnce(buildBackboneOnnx(size), pixelFeeds(pixels, 2, size));
    for (const kind of ['linear', 'mlp'] as const) {
      const head = new ImageHead({ kind, inputDim: 1792, embedDim: 512, hiddenDim: 16, dropout: 0 }, stats, rng);
      const bytes = buildVisionModel(size, head, 3);
      const summary = decodeModel(bytes);
      expect(summary.inputs).toEqual([{ name: 'pixel_values', elemType: 1, shape: ['batch', 3, size, size] }]);
      expect(summary.outputs).toEqual([{ name: 'image_embeds', elemType: 1, shape: ['batch', 512] }]);
      expect(await verifyVisionExport(head, bytes, pixels, features, 2, size, 3)).toBeLessThan(1e-4);
      head.dispose();
    }
  });
});
