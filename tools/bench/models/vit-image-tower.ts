import { OnnxGraphBuilder } from '@clipfed/clip/onnx-writer';

/** The shape of a CLIP ViT image tower. */
export interface VitShape {
  imageSize: number;
  patch: number;
  width: number;
  layers: number;
  heads: number;
  mlpRatio: number;
  embedDim: number;
}

/** openai/clip-vit-base-patch32's image tower: 87.8 M parameters, 4.4 GFLOPs per 224 × 224 image. */
export const CLIP_VIT_B32: VitShape = { imageSize: 224, patch: 32, width: 768, layers: 12, heads: 12, mlpRatio: 4, embedDim: 512 };

export function vitParameterCount(s: VitShape): number {
  const tokens = (s.imageSize / s.patch) ** 2 + 1;
  const w = s.width;
  const perLayer = 4 * w * w + 4 * w + 2 * s.mlpRatio * w * w + s.mlpRatio * w + w + 4 * w;
  return 3 * s.patch * s.patch * w + w + tokens * w + 4 * w + s.layers * perLayer + w * s.embedDim;
}

/** Multiply-adds of one image through the tower (matrix products only; what sets its cost). */
export function vitMacsPerImage(s: VitShape): number {
  const n = (s.imageSize / s.patch) ** 2;
  const t = n + 1;
  const w = s.width;
  const patchEmbed = n * 3 * s.patch * s.patch * w;
  const perLayer = t * w * 3 * w + 2 * t * t * w + t * w * w + 2 * t * w * s.mlpRatio * w;
  return patchEmbed + s.layers * perLayer + w * s.embedDim;
}

/** xorshift-style seeded generator filling uniform(-bound, bound): random weights, deterministic bytes. */
function filler(seed: number) {
  let a = seed >>> 0 || 1;
  return (n: number, fanIn: number): Float32Array => {
    const bound = 1 / Math.sqrt(fanIn);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      a ^= a << 13;
      a ^= a >>> 17;
      a ^= a << 5;
      out[i] = ((a >>> 0) / 4294967296 - 0.5) * 2 * bound;
    }
    return out;
  };
}

/**
 * A ViT image tower with CLIP's exact layer shapes and random weights (pre-norm transformer, quick-GELU MLP,
 * class token, post-LayerNorm, projection): `pixel_values [b, 3, S, S] -> image_embeds [b, embedDim]`. Its
 * cost is the real model's; its outputs mean nothing. Built with the project's ONNX writer (opset 17).
 */
export function buildVitImageTower(s: VitShape, seed = 1): Uint8Array {
  const rand = filler(seed);
  const w = s.width;
  const headDim = w / s.heads;
  const grid = s.imageSize / s.patch;
  const tokens = grid * grid + 1;
  const hidden = s.mlpRatio * w;
  const g = new OnnxGraphBuilder({ graphName: 'vit_image_tower', producerName: 'clipfed-bench' });
  const f32 = (name: string, data: Float32Array, dims: number[]) => g.initializer(name, data, dims);
  const i64 = (name: string, values: number[]) => g.initializer(name, BigInt64Array.from(values.map(BigInt)), [values.length]);
  const ones = (n: number) => new Float32Array(n).fill(1);
  const zeros = (n: number) => new Float32Array(n);
  const layerNorm = (x: string, name: string) => {
    const out = g.uniqueName(name);
    g.node('LayerNormalization', [x, f32(`${name}.weight`, ones(w), [w]), f32(`${name}.bias`, zeros(w), [w])], [out], { axis: -1, epsilon: 1e-5 });
    return out;
  };
  const linear = (x: string, name: string, inDim: number, outDim: number) => {
    const mm = g.uniqueName(`${name}_mm`);
    const out = g.uniqueName(name);
    g.node('MatMul', [x, f32(`${name}.weight`, rand(inDim * outDim, inDim), [inDim, outDim])], [mm]);
    g.node('Add', [mm, f32(`${name}.bias`, zeros(outDim), [outDim])], [out]);
    return out;
  };

  g.input('pixel_values', 'float32', ['batch_size', 3, s.imageSize, s.imageSize]);
  const convW = f32('patch_embedding.weight', rand(w * 3 * s.patch * s.patch, 3 * s.patch * s.patch), [w, 3, s.patch, s.patch]);
  g.node('Conv', ['pixel_values', convW], ['patches'], { kernel_shape: [s.patch, s.patch], strides: [s.patch, s.patch] })
    .node('Reshape', ['patches', i64('seq_shape', [0, w, -1])], ['patch_seq'])
    .node('Transpose', ['patch_seq'], ['patch_tokens'], { perm: [0, 2, 1] });
  // Class token expanded to the batch: shape [batch, 1, w] from the input's batch dimension.
  g.node('Shape', ['pixel_values'], ['input_shape'])
    .node('Slice', ['input_shape', i64('zero', [0]), i64('one', [1])], ['batch_dim'])
    .node('Concat', ['batch_dim', i64('cls_tail', [1, w])], ['cls_shape'], { axis: 0 })
    .node('Expand', [f32('class_embedding', rand(w, w), [1, 1, w]), 'cls_shape'], ['cls_tokens'])
    .node('Concat', ['cls_tokens', 'patch_tokens'], ['tokens'], { axis: 1 })
    .node('Add', ['tokens', f32('position_embedding', rand(tokens * w, w), [tokens, w])], ['embedded']);
  let x = layerNorm('embedded', 'pre_layrnorm');
  const headShape = i64('head_shape', [0, 0, s.heads, headDim]);
  const mergeShape = i64('merge_shape', [0, 0, w]);
  const split = i64('qkv_split', [w, w, w]);
  const scale = f32('attn_scale', new Float32Array([1 / Math.sqrt(headDim)]), []);
  const geluScale = f32('quick_gelu_scale', new Float32Array([1.702]), []);
  for (let l = 0; l < s.layers; l++) {
    const p = `layers.${l}`;
    const qkv = linear(layerNorm(x, `${p}.layer_norm1`), `${p}.qkv`, w, 3 * w);
    const [q, k, v] = ['q', 'k', 'v'].map((n) => g.uniqueName(`${p}.${n}`));
    g.node('Split', [qkv, split], [q, k, v], { axis: 2 });
    const heads = (t: string, perm: number[]) => {
      const r = g.uniqueName(`${t}_heads`);
      const out = g.uniqueName(`${t}_perm`);
      g.node('Reshape', [t, headShape], [r]).node('Transpose', [r], [out], { perm });
      return out;
    };
    const qh = heads(q, [0, 2, 1, 3]);
    const kh = heads(k, [0, 2, 3, 1]);
    const vh = heads(v, [0, 2, 1, 3]);
    const [scores, scaled, probs, ctxh, ctxt, ctx] = ['scores', 'scaled', 'probs', 'ctxh', 'ctxt', 'ctx'].map((n) => g.uniqueName(`${p}.${n}`));
    g.node('MatMul', [qh, kh], [scores])
      .node('Mul', [scores, scale], [scaled])
      .node('Softmax', [scaled], [probs], { axis: -1 })
      .node('MatMul', [probs, vh], [ctxh])
      .node('Transpose', [ctxh], [ctxt], { perm: [0, 2, 1, 3] })
      .node('Reshape', [ctxt, mergeShape], [ctx]);
    const attn = linear(ctx, `${p}.out_proj`, w, w);
    const res1 = g.uniqueName(`${p}.res1`);
    g.node('Add', [x, attn], [res1]);
    const up = linear(layerNorm(res1, `${p}.layer_norm2`), `${p}.fc1`, w, hidden);
    const [gs, sig, act, res2] = ['gelu_in', 'gelu_sig', 'gelu', 'res2'].map((n) => g.uniqueName(`${p}.${n}`));
    g.node('Mul', [up, geluScale], [gs]).node('Sigmoid', [gs], [sig]).node('Mul', [up, sig], [act]);
    const down = linear(act, `${p}.fc2`, hidden, w);
    g.node('Add', [res1, down], [res2]);
    x = res2;
  }
  g.node('Gather', [x, g.initializer('cls_index', BigInt64Array.from([0n]), [])], ['pooled_raw'], { axis: 1 });
  const pooled = layerNorm('pooled_raw', 'post_layernorm');
  g.node('MatMul', [pooled, f32('visual_projection.weight', rand(w * s.embedDim, w), [w, s.embedDim])], ['image_embeds']).output(
    'image_embeds',
    'float32',
    ['batch_size', s.embedDim],
  );
  return g.toBytes();
}
