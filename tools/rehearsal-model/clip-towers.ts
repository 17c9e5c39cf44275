import { attr, OnnxGraphBuilder, onnxElemType } from '@clipfed/clip/onnx-writer';
import type { ClipArchitecture, TransformerShape } from './clip-architecture';
import { quantizeUint8, randomTensor, seededRandom } from './random-weights';

/**
 * The two towers of CLIP ViT-B/32 as ONNX graphs with random weights, node for node what an export of
 * CLIPVisionModelWithProjection / CLIPTextModelWithProjection computes, in two precisions:
 *
 * - `fp32`: MatMul + Add for every linear layer, as the fp32 export;
 * - `quantized`: the int8 dynamic quantisation of the public `*_quantized.onnx` files: each linear layer's
 *   weight is stored as uint8 codes with a scale and zero point, the activation is quantised at run time by
 *   DynamicQuantizeLinear, multiplied by MatMulInteger (int32), cast back and rescaled; the token embedding is
 *   a uint8 table read by Gather and DequantizeLinear. The patch convolution, layer norms, biases and position
 *   embeddings stay float32, as they do there.
 *
 * The weights mean nothing; sizes, operators and run time are what a rehearsal needs to measure.
 */
export type TowerPrecision = 'fp32' | 'quantized';

const F32 = onnxElemType('float32');
const i64 = (...v: number[]) => BigInt64Array.from(v.map((x) => BigInt(x)));

class TowerWriter {
  readonly g: OnnxGraphBuilder;
  private readonly rand: () => number;

  constructor(
    name: string,
    seed: number,
    private readonly precision: TowerPrecision,
  ) {
    this.g = new OnnxGraphBuilder({ graphName: name, producerName: 'clipfed-rehearsal-model' });
    this.rand = seededRandom(seed);
  }

  weight(name: string, dims: number[], std: number): string {
    return this.g.initializer(name, randomTensor(this.rand, dims.reduce((a, b) => a * b, 1), std), dims);
  }

  constant(name: string, data: Float32Array | BigInt64Array, dims: number[]): string {
    return this.g.initializer(name, data, dims);
  }

  private op(type: string, inputs: string[], attrs: Parameters<OnnxGraphBuilder['node']>[3] = {}, out = this.g.uniqueName(type.toLowerCase())): string {
    this.g.node(type, inputs, [out], attrs);
    return out;
  }

  /** x [.., in] -> [.., out]: a linear layer (weight stored [in, out], as exporters write MatMul's B). */
  linear(x: string, name: string, inDim: number, outDim: number, bias: boolean): string {
    const w = randomTensor(this.rand, inDim * outDim, inDim ** -0.5);
    let y: string;
    if (this.precision === 'fp32') {
      y = this.op('MatMul', [x, this.g.initializer(`${name}.weight`, w, [inDim, outDim])]);
    } else {
      const q = quantizeUint8(w);
      const codes = this.g.initializer(`${name}.weight_quantized`, q.codes, [inDim, outDim]);
      const wScale = this.constant(`${name}.weight_scale`, Float32Array.of(q.scale), []);
      const wZero = this.g.initializer(`${name}.weight_zero_point`, Uint8Array.of(q.zeroPoint), []);
      const [xq, xScale, xZero] = [`${name}.input_quantized`, `${name}.input_scale`, `${name}.input_zero_point`];
      this.g.node('DynamicQuantizeLinear', [x], [xq, xScale, xZero]);
      const acc = this.op('MatMulInteger', [xq, codes, xZero, wZero]);
      const accF = this.op('Cast', [acc], { to: F32 });
      const scale = this.op('Mul', [xScale, wScale]);
      y = this.op('Mul', [accF, scale]);
    }
    return bias ? this.op('Add', [y, this.weight(`${name}.bias`, [outDim], 0.02)]) : y;
  }

  layerNorm(x: string, name: string, width: number): string {
    const scale = this.constant(`${name}.weight`, new Float32Array(width).fill(1), [width]);
    const shift = this.constant(`${name}.bias`, new Float32Array(width), [width]);
    return this.op('LayerNormalization', [x, scale, shift], { axis: -1, epsilon: attr.float(1e-5) });
  }

  /** The token table lookup: float32 Gather, or a uint8 table dequantised after the Gather. */
  embedding(ids: string, name: string, rows: number, width: number): string {
    const table = randomTensor(this.rand, rows * width, 0.02);
    if (this.precision === 'fp32') return this.op('Gather', [this.g.initializer(name, table, [rows, width]), ids], { axis: 0 });
    const q = quantizeUint8(table);
    const codes = this.g.initializer(`${name}_quantized`, q.codes, [rows, width]);
    const rowsQ = this.op('Gather', [codes, ids], { axis: 0 });
    const scale = this.constant(`${name}_scale`, Float32Array.of(q.scale), []);
    const zero = this.g.initializer(`${name}_zero_point`, Uint8Array.of(q.zeroPoint), []);
    return this.op('DequantizeLinear', [rowsQ, scale, zero]);
  }

  /** One pre-norm transformer block of CLIP: attention, then an MLP with quick GELU, each with a residual. */
  block(x: string, name: string, s: TransformerShape, mask?: string): string {
    const head = s.width / s.heads;
    const h = this.layerNorm(x, `${name}.layer_norm1`, s.width);
    const split = this.constant(`${name}.heads_shape`, i64(0, 0, s.heads, head), [4]);
    const heads = (proj: string, perm: number[]) => this.op('Transpose', [this.op('Reshape', [this.linear(h, `${name}.self_attn.${proj}`, s.width, s.width, true), split])], { perm });
    const q = heads('q_proj', [0, 2, 1, 3]);
    const k = heads('k_proj', [0, 2, 3, 1]);
    const v = heads('v_proj', [0, 2, 1, 3]);
    let scores = this.op('Mul', [this.op('MatMul', [q, k]), this.constant(`${name}.scale`, Float32Array.of(head ** -0.5), [])]);
    if (mask) scores = this.op('Add', [scores, mask]);
    const context = this.op('MatMul', [this.op('Softmax', [scores], { axis: -1 }), v]);
    const merge = this.constant(`${name}.merge_shape`, i64(0, 0, s.width), [3]);
    const merged = this.op('Reshape', [this.op('Transpose', [context], { perm: [0, 2, 1, 3] }), merge]);
    const attended = this.op('Add', [x, this.linear(merged, `${name}.self_attn.out_proj`, s.width, s.width, true)]);

    const h2 = this.layerNorm(attended, `${name}.layer_norm2`, s.width);
    const up = this.linear(h2, `${name}.mlp.fc1`, s.width, s.mlp, true);
    // quick_gelu(x) = x * sigmoid(1.702 x), CLIP's activation.
    const gelu = this.op('Mul', [up, this.op('Sigmoid', [this.op('Mul', [up, this.constant(`${name}.gelu_k`, Float32Array.of(1.702), [])])])]);
    return this.op('Add', [attended, this.linear(gelu, `${name}.mlp.fc2`, s.mlp, s.width, true)]);
  }

  name(out: string, value: string): void {
    this.g.node('Identity', [value], [out]);
  }
}

/** pixel_values float32 [batch_size, 3, S, S] -> image_embeds [batch_size, d], last_hidden_state [batch_size, 50, 768]. */
export function buildVisionTower(a: ClipArchitecture, precision: TowerPrecision, seed = 1): Uint8Array {
  const t = new TowerWriter('clip_vision_model', seed, precision);
  const { width } = a.vision;
  const grid = a.imageSize / a.patchSize;
  const tokens = grid * grid + 1;
  t.g.input('pixel_values', 'float32', ['batch_size', 3, a.imageSize, a.imageSize]);
  const conv = t.weight('embeddings.patch_embedding.weight', [width, 3, a.patchSize, a.patchSize], 0.02);
  t.g.node('Conv', ['pixel_values', conv], ['patches'], { kernel_shape: [a.patchSize, a.patchSize], strides: [a.patchSize, a.patchSize] });
  t.g.node('Reshape', ['patches', t.constant('patch_seq_shape', i64(0, width, -1), [3])], ['patch_seq']);
  t.g.node('Transpose', ['patch_seq'], ['patch_tokens'], { perm: [0, 2, 1] });
  // The class token, broadcast over the batch: the first patch times zero, plus the learnt embedding.
  t.g.node('Slice', ['patch_tokens', t.constant('first_start', i64(0), [1]), t.constant('first_end', i64(1), [1]), t.constant('token_axis', i64(1), [1])], ['first_patch']);
  t.g.node('Mul', ['first_patch', t.constant('zero', Float32Array.of(0), [])], ['zero_token']);
  t.g.node('Add', ['zero_token', t.weight('embeddings.class_embedding', [width], 0.02)], ['class_token']);
  t.g.node('Concat', ['class_token', 'patch_tokens'], ['token_seq'], { axis: 1 });
  t.g.node('Add', ['token_seq', t.weight('embeddings.position_embedding.weight', [tokens, width], 0.01)], ['embedded']);
  let x = t.layerNorm('embedded', 'pre_layrnorm', width);
  for (let l = 0; l < a.vision.layers; l++) x = t.block(x, `encoder.layers.${l}`, a.vision);
  t.name('last_hidden_state', x);
  t.g.node('Gather', ['last_hidden_state', t.constant('class_index', i64(0), [])], ['class_state'], { axis: 1 });
  const pooled = t.layerNorm('class_state', 'post_layernorm', width);
  t.name('image_embeds', t.linear(pooled, 'visual_projection', width, a.projectionDim, false));
  t.g.output('image_embeds', 'float32', ['batch_size', a.projectionDim]);
  t.g.output('last_hidden_state', 'float32', ['batch_size', tokens, width]);
  return t.g.toBytes();
}

/** input_ids int64 [batch_size, sequence_length] -> text_embeds [batch_size, d], last_hidden_state [batch_size, sequence_length, 512]. */
export function buildTextTower(a: ClipArchitecture, precision: TowerPrecision, seed = 2): Uint8Array {
  const t = new TowerWriter('clip_text_model', seed, precision);
  const { width, contextLength: n } = a.text;
  t.g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const tokens = t.embedding('input_ids', 'embeddings.token_embedding.weight', a.text.vocab, width);
  // Position embeddings and the causal mask are cut to the sequence's length (77 for CLIP's tokenizer).
  t.g.node('Shape', ['input_ids'], ['ids_shape']);
  t.g.node('Slice', ['ids_shape', t.constant('len_start', i64(1), [1]), t.constant('len_end', i64(2), [1])], ['seq_len']);
  const zero = t.constant('zero_start', i64(0), [1]);
  t.g.node('Slice', [t.weight('embeddings.position_embedding.weight', [n, width], 0.01), zero, 'seq_len'], ['positions']);
  t.g.node('Add', [tokens, 'positions'], ['embedded']);
  const causal = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) causal[i * n + j] = -3.4028234663852886e38;
  t.g.node('Concat', ['seq_len', 'seq_len'], ['mask_ends'], { axis: 0 });
  t.g.node('Slice', [t.constant('causal_mask', causal, [n, n]), t.constant('mask_starts', i64(0, 0), [2]), 'mask_ends', t.constant('mask_axes', i64(0, 1), [2])], ['mask']);
  let x = 'embedded';
  for (let l = 0; l < a.text.layers; l++) x = t.block(x, `encoder.layers.${l}`, a.text, 'mask');
  t.name('last_hidden_state', t.layerNorm(x, 'final_layer_norm', width));
  // CLIP pools at the end-of-text token, the largest id of each row.
  t.g.node('Cast', ['input_ids'], ['ids_int32'], { to: onnxElemType('int32') });
  t.g.node('ArgMax', ['ids_int32'], ['eot_index'], { axis: -1, keepdims: 1 });
  t.g.node('GatherND', ['last_hidden_state', 'eot_index'], ['pooled'], { batch_dims: 1 });
  t.name('text_embeds', t.linear('pooled', 'text_projection', width, a.projectionDim, false));
  t.g.output('text_embeds', 'float32', ['batch_size', a.projectionDim]);
  t.g.output('last_hidden_state', 'float32', ['batch_size', 'sequence_length', width]);
  return t.g.toBytes();
}
