import { FlError } from '../errors';
import { RowDotKernel, paddedRowLength } from '../wasm/rowdot-kernel';
import { MATCH_EPS } from './gradient-matching';

/**
 * The feature-bank objective Σ_{matched c} D(ĝ_c(F_c), ḡ_c) + λ·PCL(F) and its SGD step, with the same math
 * as bankLossAndGradient (feature-bank-step.ts: the formulas are written out there) but the [M, d] × [d, C]
 * products in a WebAssembly SIMD kernel (wasm/rowdot.wat) and the [M, C] and [C, d] element-wise work in
 * JavaScript. The bank stays in kernel memory, rows zero-padded to a multiple of 8 floats, for all steps of a
 * round: a tfjs step dispatched ~40 kernels per class, which cost more than its arithmetic.
 */
export interface KernelBankStep {
  /** One SGD step on every block; returns the summed matching loss and the PCL before the step. */
  step(lr: number): { match: number; pcl: number };
  /** ∂objective/∂F for the whole bank [C·M, d] without moving it (for tests). */
  lossAndGradient(): { match: number; pcl: number; grad: Float32Array };
  /** The bank [C·M, d], unpadded. */
  features(): Float32Array;
}

export function createKernelBankStep(args: {
  numClasses: number;
  perClass: number;
  dim: number;
  lambda: number;
  temperature: number;
  weight: Float32Array;
  bias: Float32Array;
  targets: Map<number, { gW: Float32Array; gb: Float32Array }>;
  textEmbeddings: Float32Array | null;
  features: Float32Array;
}): KernelBankStep {
  const created = RowDotKernel.create();
  if (!created) throw new FlError('the feature-bank kernel step needs WebAssembly SIMD');
  const kernel: RowDotKernel = created;
  const { numClasses: C, perClass: M, dim: d, lambda } = args;
  const N = C * M;
  const dp = paddedRowLength(d);
  const matched = [...args.targets.keys()].sort((a, b) => a - b);
  const usePcl = lambda > 0 && args.textEmbeddings !== null;
  kernel.reserve({
    bank: N * dp,
    weight: C * dp,
    textOverTau: C * dp,
    targets: matched.length * C * dp,
    synthetic: C * dp, // ĝW of the current block
    dgW: C * dp,
    grad: M * dp,
    rowsByClass: M * C, // products [M, C]
    coef: M * C,
    coefT: C * M,
    gOverM: M * C,
    dZ: M * C,
  });
  const bank = kernel.region('bank');
  const padRows = (src: Float32Array, rows: number, dst: Float32Array) => {
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * d, (r + 1) * d), r * dp);
  };
  padRows(args.features, N, bank);
  padRows(args.weight, C, kernel.region('weight'));
  const bias = Float64Array.from(args.bias);
  if (usePcl && args.textEmbeddings) {
    const t = kernel.region('textOverTau');
    for (let c = 0; c < C; c++) {
      const row = args.textEmbeddings.subarray(c * d, (c + 1) * d);
      let norm = 0;
      for (const v of row) norm += v * v;
      const scale = 1 / (Math.sqrt(norm + 1e-24) * args.temperature); // l2NormalizeRows' guard, then / τ
      for (let k = 0; k < d; k++) t[c * dp + k] = row[k] * scale;
    }
  }
  // Per matched class: its slot in `targets`, ḡ_b, and the norms of ḡW's rows and of ḡ_b.
  const targetOf = new Map<number, { slot: number; gb: Float64Array; rowNorms: Float64Array; gbNorm: number }>();
  matched.forEach((c, slot) => {
    const t = args.targets.get(c)!;
    const region = kernel.region('targets').subarray(slot * C * dp, (slot + 1) * C * dp);
    padRows(t.gW, C, region);
    const rowNorms = new Float64Array(C);
    for (let r = 0; r < C; r++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += t.gW[r * d + k] ** 2;
      rowNorms[r] = Math.sqrt(s + 1e-30);
    }
    let gbNorm = 0;
    for (const v of t.gb) gbNorm += v * v;
    targetOf.set(c, { slot, gb: Float64Array.from(t.gb), rowNorms, gbNorm: Math.sqrt(gbNorm + 1e-30) });
  });

  const [synthetic, dgW, grad, rowsByClass, coef, coefT, targets, gOverM, dZ] = ['synthetic', 'dgW', 'grad', 'rowsByClass', 'coef', 'coefT', 'targets', 'gOverM', 'dZ'].map((n) =>
    kernel.region(n),
  );
  const at = (name: string, index = 0) => kernel.offset(name, index);
  const P = new Float64Array(M * C);
  const G = new Float64Array(M * C);
  const dCosB = new Float64Array(C);

  /**
   * Loss terms of class block c, and `scale`·∂objective/∂F_c added into `into` (byte offset of M rows):
   * scale −lr into the block itself is the SGD step (every read of the block happens before), scale 1 into a
   * zeroed `grad` region is the gradient.
   */
  function classStep(c: number, into: number, scale: number): { match: number; pcl: number } {
    const block = at('bank', c * M * dp);
    let match = 0;
    let pcl = 0;
    const target = targetOf.get(c);
    if (target) {
      // P = softmax(F_c·Wᵀ + b), G = P − e_c, ĝW = Gᵀ·F_c / M, ĝb = mean(G).
      kernel.dotRows(block, M, at('weight'), C, dp, at('rowsByClass'));
      const gbSyn = new Float64Array(C);
      for (let i = 0; i < M; i++) {
        let max = -Infinity;
        for (let k = 0; k < C; k++) max = Math.max(max, (P[i * C + k] = rowsByClass[i * C + k] + bias[k]));
        let sum = 0;
        for (let k = 0; k < C; k++) sum += (P[i * C + k] = Math.exp(P[i * C + k] - max));
        for (let k = 0; k < C; k++) {
          P[i * C + k] /= sum;
          G[i * C + k] = P[i * C + k] - (k === c ? 1 : 0);
          coefT[k * M + i] = G[i * C + k] / M;
          gbSyn[k] += G[i * C + k] / M;
        }
      }
      synthetic.fill(0);
      kernel.addProducts(at('coefT'), C, block, M, dp, at('synthetic'));
      // D = Σ_rows (1 − cos(ḡW_r, ĝW_r)) + (1 − cos(ḡb, ĝb)); dgW = −∂cos/∂ĝW row by row.
      const tBase = target.slot * C * dp;
      for (let r = 0; r < C; r++) {
        let dot = 0;
        let ss = 0;
        for (let k = 0; k < d; k++) {
          const s = synthetic[r * dp + k];
          dot += targets[tBase + r * dp + k] * s;
          ss += s * s;
        }
        const sNorm = Math.sqrt(ss + 1e-30);
        const den = target.rowNorms[r] * sNorm + MATCH_EPS;
        match += 1 - dot / den;
        const k2 = (dot * target.rowNorms[r]) / (sNorm * den * den);
        for (let k = 0; k < d; k++) dgW[r * dp + k] = -(targets[tBase + r * dp + k] / den - synthetic[r * dp + k] * k2);
      }
      let dotB = 0;
      let ssB = 0;
      for (let k = 0; k < C; k++) {
        dotB += target.gb[k] * gbSyn[k];
        ssB += gbSyn[k] * gbSyn[k];
      }
      const sNormB = Math.sqrt(ssB + 1e-30);
      const denB = target.gbNorm * sNormB + MATCH_EPS;
      match += 1 - dotB / denB;
      const kB = (dotB * target.gbNorm) / (sNormB * denB * denB);
      for (let k = 0; k < C; k++) dCosB[k] = target.gb[k] / denB - gbSyn[k] * kB;
      // dG = (F_c·dgWᵀ − ∂cos_b/∂ĝb)/M; dZ = P ⊙ (dG − ⟨dG, P⟩); ∂F_c = G·dgW/M + dZ·W.
      kernel.dotRows(block, M, at('dgW'), C, dp, at('rowsByClass'));
      for (let i = 0; i < M; i++) {
        let inner = 0;
        for (let k = 0; k < C; k++) {
          const dG = (rowsByClass[i * C + k] - dCosB[k]) / M;
          rowsByClass[i * C + k] = dG;
          inner += dG * P[i * C + k];
        }
        for (let k = 0; k < C; k++) {
          dZ[i * C + k] = scale * P[i * C + k] * (rowsByClass[i * C + k] - inner);
          gOverM[i * C + k] = (scale * G[i * C + k]) / M;
        }
      }
    }
    let pclCoef = false;
    if (usePcl) {
      // S = F_c·T̂ᵀ/τ; loss_i = log(M·Σ e^{S} − e^{S_c}) − S_c; ∂/∂S = ((M·e^{S} − [c]·e^{S_c})/denom − e_c)/N.
      kernel.dotRows(block, M, at('textOverTau'), C, dp, at('rowsByClass'));
      for (let i = 0; i < M; i++) {
        let max = -Infinity;
        for (let k = 0; k < C; k++) max = Math.max(max, rowsByClass[i * C + k]);
        let denom = 0;
        for (let k = 0; k < C; k++) {
          const e = Math.exp(rowsByClass[i * C + k] - max);
          P[i * C + k] = M * e - (k === c ? e : 0);
          denom += P[i * C + k];
        }
        pcl += Math.log(denom) - rowsByClass[i * C + c] + max;
        for (let k = 0; k < C; k++) coef[i * C + k] = (scale * lambda * (P[i * C + k] / denom - (k === c ? 1 : 0))) / N;
      }
      pclCoef = true;
    }
    // Only now write: `into` may be the block itself.
    if (target) {
      kernel.addProducts(at('gOverM'), M, at('dgW'), C, dp, into);
      kernel.addProducts(at('dZ'), M, at('weight'), C, dp, into);
    }
    if (pclCoef) kernel.addProducts(at('coef'), M, at('textOverTau'), C, dp, into);
    return { match, pcl: pcl / N };
  }

  return {
    step(lr) {
      // The objective separates by class block, so updating block c before taking block c + 1's
      // gradient is the same step as updating all blocks at once.
      let match = 0;
      let pcl = 0;
      for (let c = 0; c < C; c++) {
        const terms = classStep(c, at('bank', c * M * dp), -lr);
        match += terms.match;
        pcl += terms.pcl;
      }
      return { match, pcl };
    },
    lossAndGradient() {
      const out = new Float32Array(N * d);
      let match = 0;
      let pcl = 0;
      for (let c = 0; c < C; c++) {
        grad.fill(0);
        const terms = classStep(c, at('grad'), 1);
        match += terms.match;
        pcl += terms.pcl;
        for (let i = 0; i < M; i++) out.set(grad.subarray(i * dp, i * dp + d), (c * M + i) * d);
      }
      return { match, pcl, grad: out };
    },
    features() {
      const out = new Float32Array(N * d);
      for (let r = 0; r < N; r++) out.set(bank.subarray(r * dp, r * dp + d), r * d);
      return out;
    },
  };
}
