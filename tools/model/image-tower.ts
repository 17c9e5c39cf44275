import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@clipfed/clip/onnx-writer';
import type { SeededRandom } from '@clipfed/data';
import { matMul, matMulConstantInput } from './fast-matmul';
import { countParameters, denseVariable, constantVariable } from './init';

/**
 * The trained part of the image tower: backbone features, standardised with statistics of the
 * training features, then a linear map (or a one-hidden-layer MLP) to the joint embedding space.
 * On export the standardisation and an output scale are folded into the first and last layers.
 */
export type ImageHeadKind = 'linear' | 'mlp';

export interface ImageHeadOptions {
  kind: ImageHeadKind;
  inputDim: number;
  embedDim: number;
  hiddenDim: number;
  /** Dropout on the standardised features during training. */
  dropout: number;
}

export class ImageHead {
  readonly variables: tf.Variable[];
  private readonly mean: Float32Array;
  private readonly invStd: Float32Array;
  private readonly meanT: tf.Tensor1D;
  private readonly invStdT: tf.Tensor1D;
  private readonly layers: { w: tf.Variable; b: tf.Variable }[];

  constructor(
    readonly opts: ImageHeadOptions,
    stats: { mean: Float32Array; std: Float32Array },
    rng: SeededRandom,
  ) {
    this.mean = stats.mean;
    // Some backbone channels barely vary; a floor keeps their noise from being blown up.
    const floor = 0.1 * (stats.std.reduce((a, v) => a + v, 0) / stats.std.length);
    this.invStd = stats.std.map((s) => 1 / Math.max(s, floor));
    this.meanT = tf.keep(tf.tensor1d(this.mean));
    this.invStdT = tf.keep(tf.tensor1d(this.invStd));
    const dims = opts.kind === 'linear' ? [opts.inputDim, opts.embedDim] : [opts.inputDim, opts.hiddenDim, opts.embedDim];
    this.layers = [];
    for (let i = 0; i + 1 < dims.length; i++) {
      this.layers.push({ w: denseVariable(rng, dims[i], dims[i + 1], `img_w${i}`), b: constantVariable([dims[i + 1]], 0, `img_b${i}`) });
    }
    this.variables = this.layers.flatMap((l) => [l.w, l.b]);
  }

  get biases(): tf.Variable[] {
    return this.layers.map((l) => l.b);
  }

  parameterCount(): number {
    return countParameters(this.variables);
  }

  /** With `dropoutRng` (training) a seeded dropout mask is applied to the standardised features. */
  forward(features: tf.Tensor2D, dropoutRng?: SeededRandom): tf.Tensor2D {
    let x: tf.Tensor2D = features.sub(this.meanT).mul(this.invStdT);
    const p = this.opts.dropout;
    if (dropoutRng && p > 0) {
      const keep = new Float32Array(x.size);
      for (let i = 0; i < keep.length; i++) keep[i] = dropoutRng.next() < p ? 0 : 1 / (1 - p);
      x = x.mul(tf.tensor2d(keep, x.shape));
    }
    this.layers.forEach((l, i) => {
      // The first layer's input is a constant (frozen features): no gradient needed for it.
      x = (i === 0 ? matMulConstantInput : matMul)(x, l.w as tf.Tensor2D).add(l.b);
      if (i + 1 < this.layers.length) x = x.relu();
    });
    return x;
  }

  /** Emits the head into an ONNX graph; `outputScale` multiplies the embedding (cosine-neutral). */
  exportOnnx(b: OnnxGraphBuilder, input: string, output: string, outputScale: number): void {
    let x = input;
    this.layers.forEach((l, i) => {
      const w = new Float32Array(l.w.dataSync());
      const bias = new Float32Array(l.b.dataSync());
      const [fanIn, fanOut] = l.w.shape;
      if (i === 0) {
        // (x - mean) * invStd @ W + b  ==  x @ (invStd * W) + (b - (mean * invStd) @ W)
        for (let r = 0; r < fanIn; r++) {
          const shift = this.mean[r] * this.invStd[r];
          for (let c = 0; c < fanOut; c++) {
            bias[c] -= shift * w[r * fanOut + c];
            w[r * fanOut + c] *= this.invStd[r];
          }
        }
      }
      const last = i + 1 === this.layers.length;
      if (last) {
        for (let k = 0; k < w.length; k++) w[k] *= outputScale;
        for (let k = 0; k < bias.length; k++) bias[k] *= outputScale;
      }
      const mm = b.uniqueName(`image_head_mm${i}`);
      b.node('MatMul', [x, b.initializer(`image_head_w${i}`, w, [fanIn, fanOut])], [mm]);
      const y = last ? output : b.uniqueName(`image_head_h${i}`);
      if (last) {
        b.node('Add', [mm, b.initializer(`image_head_b${i}`, bias, [fanOut])], [y]);
      } else {
        const pre = b.uniqueName(`image_head_pre${i}`);
        b.node('Add', [mm, b.initializer(`image_head_b${i}`, bias, [fanOut])], [pre]);
        b.node('Relu', [pre], [y]);
      }
      x = y;
    });
  }

  describe(): Record<string, unknown> {
    return {
      kind: this.opts.kind,
      layers: this.layers.map((l) => l.w.shape),
      activation: 'relu',
      input_standardised: true,
      parameters: this.parameterCount(),
    };
  }

  dispose(): void {
    this.meanT.dispose();
    this.invStdT.dispose();
    for (const v of this.variables) v.dispose();
  }
}

/** Per-dimension mean and standard deviation of [n, dim] features. */
export function featureStats(features: Float32Array, dim: number): { mean: Float32Array; std: Float32Array } {
  const n = features.length / dim;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) {
      const v = features[i * dim + d];
      mean[d] += v;
      sq[d] += v * v;
    }
  }
  const m = new Float32Array(dim);
  const s = new Float32Array(dim);
  for (let d = 0; d < dim; d++) {
    m[d] = mean[d] / n;
    s[d] = Math.sqrt(Math.max(sq[d] / n - m[d] * m[d], 0));
  }
  return { mean: m, std: s };
}
