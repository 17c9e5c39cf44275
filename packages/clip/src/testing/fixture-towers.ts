import { OnnxGraphBuilder, onnxElemType } from '../onnx-writer';

/*
 * Two tiny ONNX towers with the real CLIP export's input and output names, so loaders, servers
 * and browser tests exercise the real code paths in milliseconds. Their weights are random
 * (seeded): the embeddings are deterministic and depend on the input, but mean nothing.
 */

/** mulberry32: a small seeded PRNG, so the same seed always writes the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomWeights(rand: () => number, n: number, fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = (rand() * 2 - 1) * bound;
  return w;
}

/** Rows of the fixture's hashed token table: input ids are taken modulo this. */
export const FIXTURE_TOKEN_BUCKETS = 1024;

export interface FixtureTowerOptions {
  embedDim: number;
  imageSize: number;
  seed: number;
  contextLength: number;
  attentionMask: boolean;
}

/**
 * pixel_values [b,3,S,S] -> Conv (patchify, S/4 patches per side) -> mean over patches -> MatMul
 * -> image_embeds [b,d]; also last_hidden_state [b,P,d] like the real export.
 */
export function buildFixtureVisionTower(o: FixtureTowerOptions): Uint8Array {
  const rand = rng(o.seed * 2 + 1);
  const d = o.embedDim;
  const patch = Math.max(1, Math.floor(o.imageSize / 4));
  const g = new OnnxGraphBuilder({ graphName: 'fixture_vision', producerName: 'clipfed-fixture' });
  g.input('pixel_values', 'float32', ['batch_size', 3, o.imageSize, o.imageSize]);
  const convW = g.initializer('patch_embed.weight', randomWeights(rand, d * 3 * patch * patch, 3 * patch * patch), [d, 3, patch, patch]);
  const proj = g.initializer('visual_projection.weight', randomWeights(rand, d * d, d), [d, d]);
  const seqShape = g.initializer('seq_shape', BigInt64Array.from([0n, BigInt(d), -1n]), [3]);
  g.node('Conv', ['pixel_values', convW], ['patches'], { kernel_shape: [patch, patch], strides: [patch, patch] })
    .node('GlobalAveragePool', ['patches'], ['pooled'])
    .node('Flatten', ['pooled'], ['pooled_flat'], { axis: 1 })
    .node('MatMul', ['pooled_flat', proj], ['image_embeds'])
    .node('Reshape', ['patches', seqShape], ['patch_seq'])
    .node('Transpose', ['patch_seq'], ['last_hidden_state'], { perm: [0, 2, 1] })
    .output('image_embeds', 'float32', ['batch_size', d])
    .output('last_hidden_state', 'float32', ['batch_size', 'num_patches', d]);
  return g.toBytes();
}

/**
 * input_ids int64 [b,77] -> hashed embedding lookup (ids mod 1024) -> (optionally masked) mean
 * over positions -> tanh -> MatMul -> text_embeds [b,d]; also last_hidden_state [b,77,d].
 */
export function buildFixtureTextTower(o: FixtureTowerOptions): Uint8Array {
  const rand = rng(o.seed * 2 + 2);
  const d = o.embedDim;
  const g = new OnnxGraphBuilder({ graphName: 'fixture_text', producerName: 'clipfed-fixture' });
  g.input('input_ids', 'int64', ['batch_size', o.contextLength]);
  if (o.attentionMask) g.input('attention_mask', 'int64', ['batch_size', o.contextLength]);
  const table = g.initializer('token_embedding.weight', randomWeights(rand, FIXTURE_TOKEN_BUCKETS * d, 1), [FIXTURE_TOKEN_BUCKETS, d]);
  const buckets = g.initializer('buckets', BigInt64Array.from([BigInt(FIXTURE_TOKEN_BUCKETS)]), []);
  const proj = g.initializer('text_projection.weight', randomWeights(rand, d * d, d), [d, d]);
  g.node('Mod', ['input_ids', buckets], ['bucket_ids'], { fmod: 0 }).node('Gather', [table, 'bucket_ids'], ['last_hidden_state'], { axis: 0 });
  let hidden = 'last_hidden_state';
  if (o.attentionMask) {
    const axis = g.initializer('mask_axis', BigInt64Array.from([2n]), [1]);
    g.node('Cast', ['attention_mask'], ['mask_f'], { to: onnxElemType('float32') })
      .node('Unsqueeze', ['mask_f', axis], ['mask_3d'])
      .node('Mul', [hidden, 'mask_3d'], ['masked']);
    hidden = 'masked';
  }
  g.node('ReduceMean', [hidden], ['pooled'], { axes: [1], keepdims: 0 })
    .node('Mul', ['pooled', g.initializer('gain', new Float32Array([8]), [])], ['pooled_scaled'])
    .node('Tanh', ['pooled_scaled'], ['pooled_act'])
    .node('MatMul', ['pooled_act', proj], ['text_embeds'])
    .output('text_embeds', 'float32', ['batch_size', d])
    .output('last_hidden_state', 'float32', ['batch_size', o.contextLength, d]);
  return g.toBytes();
}
