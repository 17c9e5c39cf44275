import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@clipfed/clip/onnx-writer';
import type { SeededRandom } from '@clipfed/data';
import { matMul } from './fast-matmul';
import { constantVariable, countParameters, denseVariable } from './init';
import { emitMaskedMean, emitTokenEmbedding, maskedMean, TokenTable, type TextTower, type TokenBatch } from './text-tower';
import type { TextVocab } from './text-vocab';

export interface BagTowerOptions {
  tokenDim: number;
  hiddenDim: number;
  embedDim: number;
  contextLength: number;
  seed: number;
}

/**
 * Bag of tokens: the mean of the token embeddings from SOT to EOT, then a one-hidden-layer MLP.
 * Word order is lost ("a dog on a sofa" = "a sofa on a dog"), which class prompts rarely need.
 */
export class BagTextTower implements TextTower {
  readonly kind = 'bag-of-tokens';
  readonly variables: tf.Variable[];
  readonly noDecay: tf.Variable[];
  private readonly table: TokenTable;
  private readonly w1: tf.Variable;
  private readonly b1: tf.Variable;
  private readonly w2: tf.Variable;
  private readonly b2: tf.Variable;

  constructor(
    private readonly vocab: TextVocab,
    private readonly opts: BagTowerOptions,
    rng: SeededRandom,
  ) {
    this.table = new TokenTable(vocab, opts.tokenDim, rng, opts.seed);
    this.w1 = denseVariable(rng, opts.tokenDim, opts.hiddenDim, 'txt_w1');
    this.b1 = constantVariable([opts.hiddenDim], 0, 'txt_b1');
    this.w2 = denseVariable(rng, opts.hiddenDim, opts.embedDim, 'txt_w2');
    this.b2 = constantVariable([opts.embedDim], 0, 'txt_b2');
    this.variables = [this.table.learnt, this.w1, this.b1, this.w2, this.b2];
    this.noDecay = [this.table.learnt, this.b1, this.b2];
  }

  parameterCount(): number {
    return countParameters(this.variables);
  }

  forward(batch: TokenBatch): tf.Tensor2D {
    const pooled = maskedMean(this.table.lookup(batch), batch);
    const h = matMul(pooled, this.w1 as tf.Tensor2D).add(this.b1).relu() as tf.Tensor2D;
    return matMul(h, this.w2 as tf.Tensor2D).add(this.b2);
  }

  exportOnnx(b: OnnxGraphBuilder, inputIds: string, output: string, outputScale: number): void {
    const d = this.opts.tokenDim;
    const { embedded, mask } = emitTokenEmbedding(b, inputIds, this.vocab, this.table.values(), d, this.opts.contextLength);
    const pooled = emitMaskedMean(b, embedded, mask);

    const h = b.uniqueName('text_h');
    const hm = b.uniqueName('text_hm');
    const ha = b.uniqueName('text_ha');
    b.node('MatMul', [pooled, b.initializer('text_w1', new Float32Array(this.w1.dataSync()), [d, this.opts.hiddenDim])], [hm]);
    b.node('Add', [hm, b.initializer('text_b1', new Float32Array(this.b1.dataSync()), [this.opts.hiddenDim])], [ha]);
    b.node('Relu', [ha], [h]);
    const w2 = new Float32Array(this.w2.dataSync()).map((v) => v * outputScale);
    const b2 = new Float32Array(this.b2.dataSync()).map((v) => v * outputScale);
    const om = b.uniqueName('text_om');
    b.node('MatMul', [h, b.initializer('text_w2', w2, [this.opts.hiddenDim, this.opts.embedDim])], [om]);
    b.node('Add', [om, b.initializer('text_b2', b2, [this.opts.embedDim])], [output]);
  }

  describe(): Record<string, unknown> {
    return {
      kind: this.kind,
      learnt_token_rows: this.vocab.knownIds.length,
      hash_rows: this.vocab.hashRows,
      token_dim: this.opts.tokenDim,
      hidden_dim: this.opts.hiddenDim,
      pooling: 'mean over SOT..EOT (EOT found as argmax of input_ids)',
      activation: 'relu',
      parameters: this.parameterCount() + this.vocab.hashRows * this.opts.tokenDim,
    };
  }

  dispose(): void {
    for (const v of this.variables) if (v !== this.table.learnt) v.dispose();
    this.table.dispose();
  }
}
