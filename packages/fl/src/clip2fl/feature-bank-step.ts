import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows } from '../adapter';
import { MATCH_EPS } from './gradient-matching';

/** What a bank step needs that does not change between steps, uploaded once per round. */
export interface BankStepContext {
  numClasses: number;
  perClass: number;
  dim: number;
  lambda: number;
  weight: tf.Tensor2D; // R.weight [C, d]
  weightT: tf.Tensor2D; // [d, C]
  bias: tf.Tensor1D;
  /** e_c as a [1, C] row, per class. */
  oneHotRows: tf.Tensor2D[];
  /** Per matched class: ḡ_c and the norms of its rows / bias. */
  targets: Map<number, { gW: tf.Tensor2D; gb: tf.Tensor1D; gWNorm: tf.Tensor1D; gbNorm: tf.Scalar }>;
  /** Normalised text / τ [C, d] and its transpose; null when lambda = 0. */
  textOverTau: tf.Tensor2D | null;
  textOverTauT: tf.Tensor2D | null;
}

export function createBankStepContext(args: {
  numClasses: number;
  perClass: number;
  dim: number;
  lambda: number;
  temperature: number;
  weight: Float32Array;
  bias: Float32Array;
  /** Per matched class, the mean client gradient ḡ_c. */
  targets: Map<number, { gW: Float32Array; gb: Float32Array }>;
  textEmbeddings: Float32Array | null;
}): BankStepContext {
  const { numClasses: C, dim: d, lambda } = args;
  const weight = tf.tensor2d(args.weight, [C, d]);
  const targets: BankStepContext['targets'] = new Map();
  for (const [c, g] of args.targets) {
    const gW = tf.tensor2d(g.gW, [C, d]);
    const gb = tf.tensor1d(g.gb);
    targets.set(c, { gW, gb, gWNorm: safeNorm(gW) as tf.Tensor1D, gbNorm: safeNorm(gb) as tf.Scalar });
  }
  const textOverTau =
    lambda > 0 && args.textEmbeddings
      ? tf.tidy(() => tf.div(l2NormalizeRows(tf.tensor2d(args.textEmbeddings!, [C, d])), args.temperature) as tf.Tensor2D)
      : null;
  return {
    numClasses: C,
    perClass: args.perClass,
    dim: d,
    lambda,
    weight,
    weightT: tf.transpose(weight),
    bias: tf.tensor1d(args.bias),
    oneHotRows: Array.from({ length: C }, (_, c) => tf.tidy(() => tf.oneHot(tf.tensor1d([c], 'int32'), C) as tf.Tensor2D)),
    targets,
    textOverTau,
    textOverTauT: textOverTau ? tf.transpose(textOverTau) : null,
  };
}

export function disposeBankStepContext(ctx: BankStepContext): void {
  tf.dispose([ctx.weight, ctx.weightT, ctx.bias, ...ctx.oneHotRows]);
  for (const t of ctx.targets.values()) tf.dispose([t.gW, t.gb, t.gWNorm, t.gbNorm]);
  ctx.textOverTau?.dispose();
  ctx.textOverTauT?.dispose();
}

/**
 * The bank objective Σ_{matched c} D(ĝ_c(F_c), ḡ_c) + λ·PCL(F) and its gradient with respect to
 * each class block F_c [M, d], backward pass written out. Both terms separate by class block (PCL
 * is a per-row loss), so everything is plain 2-D products per block: on tfjs-wasm, tf.grad's
 * batched and transpose-flagged matMuls (and slicing one [C·M, d] tensor) made a C = 10, M = 100,
 * d = 512 step 10-20× slower. Same math as gradientMatchDistance + prototypeContrastiveLoss,
 * checked against tf.grad of those in the tests. With P = softmax(F_c·Wᵀ + b), G = P − e_c:
 *   ĝW = Gᵀ·F_c / M, ĝb = mean(G);  ∂cos(t, s)/∂s = t/den − ⟨t,s⟩·‖t‖·s / (‖s‖·den²), den = ‖t‖‖s‖ + eps
 *   ∂G = (F_c·∂ĝWᵀ + ∂ĝb)/M;  ∂F_c = G·∂ĝW/M + (P ⊙ (∂G − ⟨∂G, P⟩))·W
 * PCL, S = F_c·T̂ᵀ/τ: ∂/∂S_ic' = ((M·e^{S_ic'} − [c'=c]·e^{S_ic}) / denom_i − [c'=c]) / (C·M).
 */
export function bankLossAndGradient(
  ctx: BankStepContext,
  blocks: readonly tf.Tensor2D[],
): { match: tf.Scalar; pcl: tf.Scalar; grads: tf.Tensor2D[] } {
  const { numClasses: C, perClass: M } = ctx;
  const N = C * M;
  return tf.tidy(() => {
    const matchTerms: tf.Tensor[] = [];
    const pclTerms: tf.Tensor[] = [];
    const grads = blocks.map((Fc, c) => {
      const e = ctx.oneHotRows[c];
      let grad: tf.Tensor2D | null = null;
      const target = ctx.targets.get(c);
      if (target) {
        const P = tf.softmax(tf.add(tf.matMul(Fc, ctx.weightT), ctx.bias)) as tf.Tensor2D;
        const G = tf.sub(P, e) as tf.Tensor2D;
        const gW = tf.div(tf.matMul(tf.transpose(G), Fc), M) as tf.Tensor2D;
        const gb = tf.mean(G, 0);
        const w = cosineParts(target.gW, gW, target.gWNorm);
        const b = cosineParts(target.gb, gb, target.gbNorm);
        matchTerms.push(tf.add(tf.sum(tf.sub(1, w.cos)), tf.sub(1, b.cos)));
        const dgW = tf.neg(w.dCos) as tf.Tensor2D;
        const dG = tf.div(tf.sub(tf.matMul(Fc, tf.transpose(dgW)), b.dCos), M);
        const dZ = tf.mul(P, tf.sub(dG, tf.sum(tf.mul(dG, P), 1, true))) as tf.Tensor2D;
        grad = tf.add(tf.div(tf.matMul(G, dgW), M), tf.matMul(dZ, ctx.weight)) as tf.Tensor2D;
      }
      if (ctx.textOverTau && ctx.textOverTauT) {
        const S = tf.matMul(Fc, ctx.textOverTauT); // [M, C]
        const m = tf.max(S, 1, true);
        const ex = tf.exp(tf.sub(S, m));
        const others = tf.sub(tf.mul(ex, M), tf.mul(ex, e)); // M·e^{S_c'} − [c'=c]·e^{S_c}: every class has M rows
        const denom = tf.sum(others, 1, true);
        pclTerms.push(tf.sum(tf.add(tf.sub(tf.log(denom), tf.sum(tf.mul(S, e), 1, true)), m)));
        const dS = tf.div(tf.sub(tf.div(others, denom), e), N);
        const g = tf.mul(tf.matMul(dS, ctx.textOverTau), ctx.lambda) as tf.Tensor2D;
        grad = grad ? (tf.add(grad, g) as tf.Tensor2D) : g;
      }
      return grad ?? (tf.zerosLike(Fc) as tf.Tensor2D);
    });
    const match = (matchTerms.length ? tf.addN(matchTerms) : tf.scalar(0)) as tf.Scalar;
    const pcl = (pclTerms.length ? tf.div(tf.addN(pclTerms), N) : tf.scalar(0)) as tf.Scalar;
    return { match, pcl, grads };
  });
}

/** cos(t, s) along the last axis and its derivative with respect to s (t's norm precomputed). */
function cosineParts(t: tf.Tensor, s: tf.Tensor, tNorm: tf.Tensor): { cos: tf.Tensor; dCos: tf.Tensor } {
  const dot = tf.sum(tf.mul(t, s), -1);
  const sNorm = safeNorm(s);
  const den = tf.add(tf.mul(tNorm, sNorm), MATCH_EPS);
  const cos = tf.div(dot, den);
  const coef = tf.div(tf.mul(dot, tNorm), tf.mul(sNorm, tf.square(den)));
  const dCos = tf.sub(tf.div(t, tf.expandDims(den, -1)), tf.mul(s, tf.expandDims(coef, -1)));
  return { cos, dCos };
}

/** ‖x‖ along the last axis, with the same 1e-30 guard as gradientMatchDistance. */
function safeNorm(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sqrt(tf.add(tf.sum(tf.square(x), -1), 1e-30)));
}
