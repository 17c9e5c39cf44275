import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { CoupledAdam, FEDCLIP_ADAM } from './adam';
import { OptionError } from './errors';
import { expectClose, forEachBackend } from './testing';

forEachBackend(['cpu', 'wasm'], () => {
  it('matches hand-computed torch.optim.Adam steps with coupled weight decay', () => {
    // θ0 = [1, −2, 0.5], lr 0.1, betas (0.9, 0.98), eps 1e-6, weight_decay 0.2. Step 1 by hand for θ=1:
    // g' = 0.5 + 0.2·1 = 0.7, m = 0.07, v = 0.0098; m̂ = 0.7, √v̂ = 0.7 → θ = 1 − 0.1·0.7/(0.7 + 1e-6) = 0.90000014286.
    // Later values: the same recurrences in float64 (PyTorch's documented algorithm).
    const expected = [
      [0.9000001428569387, -1.9000003333322222, 0.59999900001],
      [0.8462943326598668, -1.804034615665857, 0.5857170939220259],
      [0.7874975666424057, -1.7156781057793837, 0.5225159468672106],
    ];
    const grads = [
      [0.5, 0.1, -0.2],
      [-0.3, 0.2, 0.0],
      [0.05, -0.4, 0.3],
    ];
    const adam = new CoupledAdam({ lr: 0.1, betas: [0.9, 0.98], eps: 1e-6, weightDecay: 0.2 });
    let theta = tf.tensor1d([1, -2, 0.5]);
    for (let t = 0; t < 3; t++) {
      const g = tf.tensor1d(grads[t]);
      const [next] = adam.step([theta], [g]);
      g.dispose();
      theta.dispose();
      theta = next as tf.Tensor1D;
      expectClose(theta.dataSync(), expected[t], 2e-7, 1e-6);
    }
    expect(adam.stepCount).toBe(3);
    theta.dispose();
    adam.dispose();
  });

  it('defaults to FedCLIP settings, keeps no tensors after dispose, and a new instance starts fresh', () => {
    expect(FEDCLIP_ADAM).toEqual({ lr: 5e-5, betas: [0.9, 0.98], eps: 1e-6, weightDecay: 0.2 });
    const before = tf.memory().numTensors;
    const p = tf.tensor1d([1]);
    const g = tf.tensor1d([0.5]);
    const first = new CoupledAdam();
    const [a] = first.step([p], [g]);
    const [b] = new CoupledAdam().step([p], [g]);
    // Both are a first step: θ − lr·g'/(|g'| + eps) with g' = 0.5 + 0.2.
    expectClose(a.dataSync(), [1 - 5e-5 * (0.7 / (0.7 + 1e-6))], 1e-7);
    expectClose(b.dataSync(), a.dataSync(), 0);
    first.dispose();
    tf.dispose([a, b, p, g]);
    // The second optimiser was not disposed: its two moment tensors remain (on backends where the
    // moments live in tensors; on cpu they are JavaScript arrays).
    expect(tf.memory().numTensors - before).toBe(tf.getBackend() === 'cpu' ? 0 : 2);
  });

  it('rejects invalid settings', () => {
    expect(() => new CoupledAdam({ lr: 0 })).toThrow(OptionError);
    expect(() => new CoupledAdam({ betas: [0.9, 1] })).toThrow(/betas/);
  });
});
