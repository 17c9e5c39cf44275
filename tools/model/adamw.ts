import * as tf from '@tensorflow/tfjs';

/**
 * Adam with decoupled weight decay and a learning rate set per step (tfjs' Adam has neither a
 * settable rate nor decoupled decay). Variables named in `noDecay` (biases, embeddings, the
 * temperature) are not decayed.
 */
export class AdamW {
  private readonly m = new Map<tf.Variable, tf.Tensor>();
  private readonly v = new Map<tf.Variable, tf.Tensor>();
  private step = 0;

  constructor(
    private readonly opts: { beta1: number; beta2: number; eps: number; weightDecay: number; noDecay: Set<tf.Variable> },
  ) {}

  apply(grads: Map<tf.Variable, tf.Tensor>, lr: number): void {
    this.step++;
    const { beta1, beta2, eps, weightDecay } = this.opts;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    for (const [variable, g] of grads) {
      const m0 = this.m.get(variable);
      const v0 = this.v.get(variable);
      const [m1, v1] = tf.tidy(() => [
        m0 ? m0.mul(beta1).add(g.mul(1 - beta1)) : g.mul(1 - beta1),
        v0 ? v0.mul(beta2).add(g.square().mul(1 - beta2)) : g.square().mul(1 - beta2),
      ]);
      m0?.dispose();
      v0?.dispose();
      this.m.set(variable, tf.keep(m1));
      this.v.set(variable, tf.keep(v1));
      tf.tidy(() => {
        const update = m1.div(c1).div(v1.div(c2).sqrt().add(eps)).mul(lr);
        const decayed = this.opts.noDecay.has(variable) || weightDecay === 0 ? variable : variable.mul(1 - lr * weightDecay);
        variable.assign(decayed.sub(update));
      });
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
