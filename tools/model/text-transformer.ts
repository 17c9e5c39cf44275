import * as tf from '@tensorflow/tfjs';
import { attr, type OnnxGraphBuilder } from '@clipfed/clip/onnx-writer';
import type { SeededRandom } from '@clipfed/data';
import { matMul } from './fast-matmul';
import { constantVariable, countParameters, denseVariable, normalVariable } from './init';
import { emitMaskedMean, emitTokenEmbedding, maskedMean, TokenTable, type TextTower, type TokenBatch } from './text-tower';
import type { TextVocab } from './text-vocab';

export interface TransformerTowerOptions {
  width: number;
  heads: number;
  layers: number;
  embedDim: number;
  contextLength: number;
  seed: number;
}

interface Block {
  ln1g: tf.Variable;
  ln1b: tf.Variable;
  wq: tf.Variable;
  wk: tf.Variable;
  wv: tf.Variable;
  bq: tf.Variable;
  bk: tf.Variable;
  bv: tf.Variable;
  wo: tf.Variable;
  bo: tf.Variable;
  ln2g: tf.Variable;
  ln2b: tf.Variable;
  w1: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  b2: tf.Variable;
}

const LN_EPS = 1e-5;

/** Batched a @ b for rank-3 tensors, with explicitly transposed gradients (see fast-matmul). */
function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, y]);
    return {
      value: tf.matMul(x, y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as tf.Tensor3D[];
        return [tf.matMul(dy, ys.transpose([0, 2, 1])), tf.matMul(xs.transpose([0, 2, 1]), dy)];
      },
    };
  });
  return op(a, b) as tf.Tensor3D;
}

function layerNorm(x: tf.Tensor2D, g: tf.Variable, b: tf.Variable): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  return x.sub(mean).div(variance.add(LN_EPS).sqrt()).mul(g).add(b);
}

/**
 * A small pre-LayerNorm transformer over the caption tokens (learnt positions, key-padding mask,
 * no causal mask), mean-pooled over SOT..EOT, then projected to the embedding space.
 */
export class TransformerTextTower implements TextTower {
  readonly kind = 'transformer';
  readonly variables: tf.Variable[];
  readonly noDecay: tf.Variable[];
  private readonly table: TokenTable;
  private readonly positions: tf.Variable;
  private readonly blocks: Block[] = [];
  private readonly lnfG: tf.Variable;
  private readonly lnfB: tf.Variable;
  private readonly proj: tf.Variable;
  private readonly projB: tf.Variable;

  constructor(
    private readonly vocab: TextVocab,
    private readonly opts: TransformerTowerOptions,
    rng: SeededRandom,
  ) {
    const d = opts.width;
    if (d % opts.heads !== 0) throw new RangeError(`width ${d} is not divisible by ${opts.heads} heads`);
    this.table = new TokenTable(vocab, d, rng, opts.seed);
    this.positions = normalVariable(rng, [opts.contextLength, d], 0.01, 'tt_pos');
    for (let l = 0; l < opts.layers; l++) {
      this.blocks.push({
        ln1g: constantVariable([d], 1, `tt${l}_ln1g`),
        ln1b: constantVariable([d], 0, `tt${l}_ln1b`),
        wq: denseVariable(rng, d, d, `tt${l}_wq`),
        wk: denseVariable(rng, d, d, `tt${l}_wk`),
        wv: denseVariable(rng, d, d, `tt${l}_wv`),
        bq: constantVariable([d], 0, `tt${l}_bq`),
        bk: constantVariable([d], 0, `tt${l}_bk`),
        bv: constantVariable([d], 0, `tt${l}_bv`),
        wo: denseVariable(rng, d, d, `tt${l}_wo`),
        bo: constantVariable([d], 0, `tt${l}_bo`),
        ln2g: constantVariable([d], 1, `tt${l}_ln2g`),
        ln2b: constantVariable([d], 0, `tt${l}_ln2b`),
        w1: denseVariable(rng, d, 4 * d, `tt${l}_w1`),
        b1: constantVariable([4 * d], 0, `tt${l}_b1`),
        w2: denseVariable(rng, 4 * d, d, `tt${l}_w2`),
        b2: constantVariable([d], 0, `tt${l}_b2`),
      });
    }
    this.lnfG = constantVariable([d], 1, 'tt_lnfg');
    this.lnfB = constantVariable([d], 0, 'tt_lnfb');
    this.proj = denseVariable(rng, d, opts.embedDim, 'tt_proj');
    this.projB = constantVariable([opts.embedDim], 0, 'tt_projb');
    const blockVars = this.blocks.flatMap((b) => Object.values(b) as tf.Variable[]);
    this.variables = [this.table.learnt, this.positions, ...blockVars, this.lnfG, this.lnfB, this.proj, this.projB];
    const isMatrix = new Set(this.blocks.flatMap((b) => [b.wq, b.wk, b.wv, b.wo, b.w1, b.w2]).concat([this.proj]));
    this.noDecay = this.variables.filter((v) => !isMatrix.has(v));
  }

  parameterCount(): number {
    return countParameters(this.variables);
  }

  forward(batch: TokenBatch): tf.Tensor2D {
    const { count: B, length: L } = batch;
    const d = this.opts.width;
    const H = this.opts.heads;
    const dh = d / H;
    const pos = this.positions.slice([0, 0], [L, d]);
    let x = this.table.lookup(batch).add(pos).reshape([B * L, d]) as tf.Tensor2D;
    const bias = new Float32Array(B * L);
    for (let i = 0; i < bias.length; i++) bias[i] = batch.mask[i] > 0 ? 0 : -1e9;
    const keyBias = tf.tensor4d(bias, [B, 1, 1, L]);
    const dense = (t: tf.Tensor2D, w: tf.Variable, b: tf.Variable) => matMul(t, w as unknown as tf.Tensor2D).add(b) as tf.Tensor2D;
    const heads = (t: tf.Tensor2D) => t.reshape([B, L, H, dh]).transpose([0, 2, 1, 3]).reshape([B * H, L, dh]) as tf.Tensor3D;
    for (const blk of this.blocks) {
      const h = layerNorm(x, blk.ln1g, blk.ln1b);
      const q = heads(dense(h, blk.wq, blk.bq));
      const k = heads(dense(h, blk.wk, blk.bk));
      const v = heads(dense(h, blk.wv, blk.bv));
      const scores = bmm(q, k.transpose([0, 2, 1])).mul(1 / Math.sqrt(dh)).reshape([B, H, L, L]).add(keyBias);
      const att = tf.softmax(scores, -1).reshape([B * H, L, L]) as tf.Tensor3D;
      const o = bmm(att, v).reshape([B, H, L, dh]).transpose([0, 2, 1, 3]).reshape([B * L, d]) as tf.Tensor2D;
      x = x.add(dense(o, blk.wo, blk.bo));
      const h2 = layerNorm(x, blk.ln2g, blk.ln2b);
      x = x.add(dense(dense(h2, blk.w1, blk.b1).relu() as tf.Tensor2D, blk.w2, blk.b2));
    }
    const xf = layerNorm(x, this.lnfG, this.lnfB).reshape([B, L, d]) as tf.Tensor3D;
    return matMul(maskedMean(xf, batch), this.proj as unknown as tf.Tensor2D).add(this.projB);
  }

  exportOnnx(b: OnnxGraphBuilder, inputIds: string, output: string, outputScale: number): void {
    const d = this.opts.width;
    const H = this.opts.heads;
    const dh = d / H;
    const T = this.opts.contextLength;
    const data = (v: tf.Variable) => new Float32Array(v.dataSync());
    const { embedded, mask } = emitTokenEmbedding(b, inputIds, this.vocab, this.table.values(), d, T);

    let x = b.uniqueName('tt_x');
    b.node('Add', [embedded, b.initializer('tt_positions', data(this.positions), [T, d])], [x]);
    // Padding keys get -1e9 before the softmax: bias = (mask - 1) * 1e9, shaped [B, 1, 1, T].
    const m1 = b.uniqueName('tt_mask_m1');
    b.node('Sub', [mask, b.initializer('tt_one', new Float32Array([1]), [])], [m1]);
    const biasFlat = b.uniqueName('tt_key_bias_flat');
    b.node('Mul', [m1, b.initializer('tt_big', new Float32Array([1e9]), [])], [biasFlat]);
    const keyBias = b.uniqueName('tt_key_bias');
    b.node('Unsqueeze', [biasFlat, b.initializer('tt_axes12', new BigInt64Array([1n, 2n]), [2])], [keyBias]);
    const headShape = b.initializer('tt_head_shape', new BigInt64Array([0n, BigInt(T), BigInt(H), BigInt(dh)]), [4]);
    const mergeShape = b.initializer('tt_merge_shape', new BigInt64Array([0n, BigInt(T), BigInt(d)]), [3]);

    const ln = (input: string, g: tf.Variable, beta: tf.Variable, name: string) => {
      const out = b.uniqueName(name);
      b.node('LayerNormalization', [input, b.initializer(`${name}_g`, data(g), [d]), b.initializer(`${name}_b`, data(beta), [d])], [out], {
        axis: -1,
        epsilon: attr.float(LN_EPS),
      });
      return out;
    };
    const dense = (input: string, w: tf.Variable, bias: tf.Variable, name: string, scale = 1) => {
      const [fi, fo] = w.shape;
      const mm = b.uniqueName(`${name}_mm`);
      b.node('MatMul', [input, b.initializer(`${name}_w`, data(w).map((v) => v * scale), [fi, fo])], [mm]);
      const out = b.uniqueName(name);
      b.node('Add', [mm, b.initializer(`${name}_b`, data(bias).map((v) => v * scale), [fo])], [out]);
      return out;
    };
    const split = (input: string, name: string, perm: number[]) => {
      const r = b.uniqueName(`${name}_r`);
      b.node('Reshape', [input, headShape], [r]);
      const t = b.uniqueName(name);
      b.node('Transpose', [r], [t], { perm });
      return t;
    };

    this.blocks.forEach((blk, l) => {
      const h = ln(x, blk.ln1g, blk.ln1b, `tt${l}_ln1`);
      const q = split(dense(h, blk.wq, blk.bq, `tt${l}_q`, 1 / Math.sqrt(dh)), `tt${l}_qh`, [0, 2, 1, 3]);
      const kT = split(dense(h, blk.wk, blk.bk, `tt${l}_k`), `tt${l}_kht`, [0, 2, 3, 1]);
      const v = split(dense(h, blk.wv, blk.bv, `tt${l}_v`), `tt${l}_vh`, [0, 2, 1, 3]);
      const scores = b.uniqueName(`tt${l}_scores`);
      b.node('MatMul', [q, kT], [scores]);
      const masked = b.uniqueName(`tt${l}_masked`);
      b.node('Add', [scores, keyBias], [masked]);
      const att = b.uniqueName(`tt${l}_att`);
      b.node('Softmax', [masked], [att], { axis: -1 });
      const o = b.uniqueName(`tt${l}_o`);
      b.node('MatMul', [att, v], [o]);
      const ot = b.uniqueName(`tt${l}_ot`);
      b.node('Transpose', [o], [ot], { perm: [0, 2, 1, 3] });
      const merged = b.uniqueName(`tt${l}_merged`);
      b.node('Reshape', [ot, mergeShape], [merged]);
      const x1 = b.uniqueName(`tt${l}_res1`);
      b.node('Add', [x, dense(merged, blk.wo, blk.bo, `tt${l}_o_proj`)], [x1]);
      const h2 = ln(x1, blk.ln2g, blk.ln2b, `tt${l}_ln2`);
      const f1 = dense(h2, blk.w1, blk.b1, `tt${l}_ff1`);
      const f1r = b.uniqueName(`tt${l}_ff1_relu`);
      b.node('Relu', [f1], [f1r]);
      const x2 = b.uniqueName(`tt${l}_res2`);
      b.node('Add', [x1, dense(f1r, blk.w2, blk.b2, `tt${l}_ff2`)], [x2]);
      x = x2;
    });
    const xf = ln(x, this.lnfG, this.lnfB, 'tt_lnf');
    const pooled = emitMaskedMean(b, xf, mask);
    const mm = b.uniqueName('tt_proj_mm');
    b.node('MatMul', [pooled, b.initializer('tt_proj_w', data(this.proj).map((v) => v * outputScale), [d, this.opts.embedDim])], [mm]);
    b.node('Add', [mm, b.initializer('tt_proj_b', data(this.projB).map((v) => v * outputScale), [this.opts.embedDim])], [output]);
  }

  describe(): Record<string, unknown> {
    return {
      kind: this.kind,
      learnt_token_rows: this.vocab.knownIds.length,
      hash_rows: this.vocab.hashRows,
      width: this.opts.width,
      heads: this.opts.heads,
      layers: this.opts.layers,
      mlp_ratio: 4,
      positions: 'learnt',
      attention_mask: 'key padding (positions after EOT), not causal',
      pooling: 'mean over SOT..EOT after a final LayerNorm',
      parameters: this.parameterCount() + this.vocab.hashRows * this.opts.width,
    };
  }

  dispose(): void {
    for (const v of this.variables) if (v !== this.table.learnt) v.dispose();
    this.table.dispose();
  }
}
