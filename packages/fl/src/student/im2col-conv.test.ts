import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { SeededRandom } from '../random';
import { expectClose, forEachBackend } from '../testing';
import { conv2dIm2col } from './im2col-conv';

/** Float64 reference: k×k, padding (k−1)/2, stride s, NHWC input, kernel [k·k·Cin, Cout] (HWIO). */
function refConv(x: Float64Array, [b, h, w, c]: number[], kernel: Float64Array, k: number, stride: number, cout: number): Float64Array {
  const ho = Math.ceil(h / stride);
  const wo = Math.ceil(w / stride);
  const pad = (k - 1) / 2;
  const out = new Float64Array(b * ho * wo * cout);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let dy = 0; dy < k; dy++)
          for (let dx = 0; dx < k; dx++) {
            const y = i * stride + dy - pad;
            const xx = j * stride + dx - pad;
            if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
            for (let ci = 0; ci < c; ci++) {
              const v = x[((n * h + y) * w + xx) * c + ci];
              for (let co = 0; co < cout; co++) out[((n * ho + i) * wo + j) * cout + co] += v * kernel[((dy * k + dx) * c + ci) * cout + co];
            }
          }
  return out;
}

const CASES = [
  { k: 3, stride: 1, shape: [2, 5, 4, 3] },
  { k: 3, stride: 2, shape: [2, 6, 6, 2] },
  { k: 3, stride: 2, shape: [1, 7, 5, 2] },
  { k: 1, stride: 2, shape: [2, 5, 6, 3] },
] as const;

forEachBackend(['cpu', 'wasm'], () => {
  for (const { k, stride, shape } of CASES) {
    for (const gatherMode of ['host', 'kernel'] as const) {
      it(`${k}×${k} stride ${stride} on [${shape}] (${gatherMode} gathers): output and both gradients match a float64 reference`, () => {
        const cout = 4;
        const rng = new SeededRandom(k * 10 + stride);
        const x = rng.fillNormal(new Float32Array(shape.reduce((a: number, b: number) => a * b, 1)));
        const kernel = rng.fillNormal(new Float32Array(k * k * shape[3] * cout));
        const expected = refConv(Float64Array.from(x), [...shape], Float64Array.from(kernel), k, stride, cout);
        // L = Σ conv(x, K) ⊙ R is linear in x and in K, so a unit step gives each gradient entry exactly.
        const r = rng.fillNormal(new Float32Array(expected.length));
        const lossOf = (xs: Float64Array, ks: Float64Array) => refConv(xs, [...shape], ks, k, stride, cout).reduce((s, v, i) => s + v * r[i], 0);
        const base = lossOf(Float64Array.from(x), Float64Array.from(kernel));
        const unitStep = (of: Float32Array, which: 'x' | 'k') =>
          Array.from(of, (_, i) => {
            const moved = Float64Array.from(of);
            moved[i] += 1;
            return (which === 'x' ? lossOf(moved, Float64Array.from(kernel)) : lossOf(Float64Array.from(x), moved)) - base;
          });
        const [out, dx, dk] = tf.tidy(() => {
          const xt = tf.tensor4d(x, [...shape] as [number, number, number, number]);
          const kt = tf.tensor2d(kernel, [k * k * shape[3], cout]);
          const y = conv2dIm2col(xt, kt, k, stride, 'explicit-transpose', gatherMode);
          const rt = tf.tensor(r, y.shape);
          const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dIm2col(a as tf.Tensor4D, b as tf.Tensor2D, k, stride, 'explicit-transpose', gatherMode), rt)) as tf.Scalar;
          const g = tf.grads(f)([xt, kt]);
          return [y.dataSync(), g[0].dataSync(), g[1].dataSync()];
        });
        expectClose(out, expected, 1e-4);
        expectClose(dx, unitStep(x, 'x'), 1e-4);
        expectClose(dk, unitStep(kernel, 'k'), 1e-4);
      });
    }
  }

  it("agrees with tf.conv2d's forward pass (every backend has one) with PyTorch's symmetric padding 1", () => {
    const rng = new SeededRandom(3);
    const x = rng.fillNormal(new Float32Array(2 * 8 * 8 * 3));
    const kernel = rng.fillNormal(new Float32Array(27 * 5));
    const [ours, theirs] = tf.tidy(() => {
      const xt = tf.tensor4d(x, [2, 8, 8, 3]);
      return [
        conv2dIm2col(xt, tf.tensor2d(kernel, [27, 5]), 3, 2).dataSync(),
        tf.conv2d(xt, tf.tensor4d(kernel, [3, 3, 3, 5]), 2, 1).dataSync(),
      ];
    });
    expectClose(ours, theirs, 1e-4);
  });
});
