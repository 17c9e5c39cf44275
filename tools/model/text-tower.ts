import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@clipfed/clip/onnx-writer';
import { SeededRandom } from '@clipfed/data';
import { embeddingLookup } from './embedding-lookup';
import { normalValues, normalVariable } from './init';
import type { TextVocab } from './text-vocab';

/** Token rows of a batch of captions, padded to a common length (mask 0 past each EOT). */
export interface TokenBatch {
  /** [count * length] embedding rows (TextVocab rows, not CLIP ids). */
  readonly rows: Int32Array;
  /** [count * length] 1 for SOT..EOT, 0 for padding. */
  readonly mask: Float32Array;
  readonly count: number;
  readonly length: number;
}

export interface TextTower {
  readonly kind: string;
  readonly variables: tf.Variable[];
  /** Variables that weight decay leaves alone. */
  readonly noDecay: tf.Variable[];
  forward(batch: TokenBatch, training: boolean): tf.Tensor2D;
  parameterCount(): number;
  /**
   * Emits `input_ids` [batch, 77] int64 -> `output` [batch, embedDim]. `outputScale` multiplies
   * the embedding (cosine-neutral); the exported embedding table gets the fixed hash rows.
   */
  exportOnnx(b: OnnxGraphBuilder, inputIds: string, output: string, outputScale: number): void;
  describe(): Record<string, unknown>;
  dispose(): void;
}

export function tokenBatch(captions: readonly Int32Array[]): TokenBatch {
  const length = Math.max(...captions.map((c) => c.length));
  const rows = new Int32Array(captions.length * length);
  const mask = new Float32Array(captions.length * length);
  captions.forEach((c, i) => {
    rows.set(c, i * length);
    mask.fill(1, i * length, i * length + c.length);
  });
  return { rows, mask, count: captions.length, length };
}

/**
 * The token embedding table: learnt rows for ids seen in training, plus the fixed random rows
 * that unseen ids share (drawn once, with the same spread as the learnt rows' initialisation).
 */
export class TokenTable {
  readonly learnt: tf.Variable;
  private readonly hashed: tf.Tensor2D;

  constructor(
    readonly vocab: TextVocab,
    readonly dim: number,
    rng: SeededRandom,
    seed: number,
  ) {
    this.learnt = normalVariable(rng, [vocab.knownIds.length, dim], TOKEN_INIT_STD, 'token_table');
    this.hashed = tf.keep(tf.tensor2d(normalValues(new SeededRandom(seed), vocab.hashRows * dim, TOKEN_INIT_STD), [vocab.hashRows, dim]));
  }

  /** [count, length, dim] embeddings of a batch. */
  lookup(batch: TokenBatch): tf.Tensor3D {
    const known = this.vocab.knownIds.length;
    const table = batch.rows.some((r) => r >= known) ? (tf.concat([this.learnt, this.hashed], 0) as tf.Tensor2D) : (this.learnt as unknown as tf.Tensor2D);
    return embeddingLookup(table, batch.rows).reshape([batch.count, batch.length, this.dim]) as tf.Tensor3D;
  }

  /** Learnt rows followed by the hash rows, as the ONNX graph holds them. */
  values(): Float32Array {
    const out = new Float32Array(this.vocab.rowCount * this.dim);
    out.set(this.learnt.dataSync());
    out.set(this.hashed.dataSync(), this.vocab.knownIds.length * this.dim);
    return out;
  }

  dispose(): void {
    this.learnt.dispose();
    this.hashed.dispose();
  }
}

const TOKEN_INIT_STD = 0.1;

/** ONNX nodes shared by the text towers: the validity mask and the embedding lookup. */
export function emitTokenEmbedding(
  b: OnnxGraphBuilder,
  inputIds: string,
  vocab: TextVocab,
  table: Float32Array,
  dim: number,
  contextLength: number,
): { embedded: string; mask: string } {
  const rows = b.uniqueName('token_rows');
  b.node('Gather', [b.initializer('token_remap', vocab.remap, [vocab.remap.length]), inputIds], [rows], { axis: 0 });
  const embedded = b.uniqueName('token_embeddings');
  b.node('Gather', [b.initializer('token_embedding', table, [vocab.rowCount, dim]), rows], [embedded], { axis: 0 });

  // Valid positions are 0..argmax(ids) (EOT has the largest id), as CLIP pools at argmax.
  const ids32 = b.uniqueName('ids_int32');
  b.node('Cast', [inputIds], [ids32], { to: 6 /* INT32: onnxruntime's ArgMax has no int64 kernel */ });
  const eot = b.uniqueName('eot_position');
  b.node('ArgMax', [ids32], [eot], { axis: 1, keepdims: 1 });
  const end = b.uniqueName('valid_end');
  b.node('Add', [eot, b.initializer('one_i64', new BigInt64Array([1n]), [])], [end]);
  const positions = new BigInt64Array(contextLength);
  for (let i = 0; i < contextLength; i++) positions[i] = BigInt(i);
  const valid = b.uniqueName('valid_bool');
  b.node('Less', [b.initializer('positions', positions, [1, contextLength]), end], [valid]);
  const mask = b.uniqueName('valid_mask');
  b.node('Cast', [valid], [mask], { to: 1 /* FLOAT */ });
  return { embedded, mask };
}

/** Masked mean over positions: [B, L, D] and [B, L] -> [B, D]. */
export function emitMaskedMean(b: OnnxGraphBuilder, x: string, mask: string): string {
  const count = b.uniqueName('valid_count');
  b.node('ReduceSum', [mask, b.initializer(b.uniqueName('axes1'), new BigInt64Array([1n]), [1])], [count], { keepdims: 1 });
  const weights = b.uniqueName('pool_weights');
  b.node('Div', [mask, count], [weights]);
  const w3 = b.uniqueName('pool_weights3');
  b.node('Unsqueeze', [weights, b.initializer(b.uniqueName('axes_u'), new BigInt64Array([1n]), [1])], [w3]);
  const pooled3 = b.uniqueName('pooled3');
  b.node('MatMul', [w3, x], [pooled3]);
  const pooled = b.uniqueName('pooled');
  b.node('Flatten', [pooled3], [pooled], { axis: 1 });
  return pooled;
}

/** Masked mean in tfjs: x [B, L, D], mask [B*L] -> [B, D]. */
export function maskedMean(x: tf.Tensor3D, batch: TokenBatch): tf.Tensor2D {
  const w = new Float32Array(batch.mask.length);
  for (let i = 0; i < batch.count; i++) {
    let n = 0;
    for (let j = 0; j < batch.length; j++) n += batch.mask[i * batch.length + j];
    for (let j = 0; j < batch.length; j++) w[i * batch.length + j] = batch.mask[i * batch.length + j] / n;
  }
  // Multiply and sum rather than a batched matMul: tfjs-wasm's transposed matMul (its gradient) is slow.
  return x.mul(tf.tensor3d(w, [batch.count, batch.length, 1])).sum(1) as tf.Tensor2D;
}
