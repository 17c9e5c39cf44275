/**
 * Privacy spent by repeated Gaussian mechanisms, with Rényi differential privacy (Mironov 2017).
 * One release with noise multiplier z (noise std = z x sensitivity) is (alpha, alpha / (2 z^2))-RDP. When each
 * client takes part with probability q (Poisson sampling), one release is the sampled Gaussian mechanism, whose
 * RDP is computed as in Mironov, Talwar and Zhang 2019 ("Rényi Differential Privacy of the Sampled Gaussian
 * Mechanism"): a binomial sum for integer orders, the defining integral for fractional ones. RDP adds up over
 * rounds; converting to (epsilon, delta)-DP takes the best order alpha of
 *   epsilon = rdp(alpha) + log((alpha - 1) / alpha) - (log(delta) + log(alpha)) / (alpha - 1)
 * (Balle et al. 2020, the conversion used by Opacus and TF Privacy).
 */

/**
 * Orders tried. The dense run just above 1 matters for large epsilons (many rounds with little noise: sigma 1
 * and 1000 rounds is best near alpha 1.15); the large ones for small epsilons.
 */
export const RDP_ORDERS: readonly number[] = [
  ...Array.from({ length: 24 }, (_, i) => Math.round((1.01 + 0.01 * i) * 100) / 100), // 1.01 .. 1.24
  1.25, 1.3, 1.35, 1.4, 1.45, 1.5, 1.6, 1.7, 1.75, 1.8, 1.9, 2, 2.25, 2.5, 2.75, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 11, 12,
  14, 16, 18, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 128, 192, 256, 384, 512, 768, 1024,
];

function requireNoise(noiseMultiplier: number): void {
  if (!(noiseMultiplier > 0) || !Number.isFinite(noiseMultiplier)) throw new RangeError(`noise multiplier must be positive, got ${noiseMultiplier}`);
}

export function gaussianRdp(noiseMultiplier: number, alpha: number): number {
  requireNoise(noiseMultiplier);
  return alpha / (2 * noiseMultiplier * noiseMultiplier);
}

/** log(e^a + e^b) without overflow. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

function logBinomial(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** Lanczos approximation (g = 7, 9 terms): about 15 significant digits for positive arguments. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log A_alpha for an integer order: log sum_k C(alpha, k) (1-q)^(alpha-k) q^k exp((k^2 - k) / (2 sigma^2)). */
function logAInteger(q: number, sigma: number, alpha: number): number {
  let log = -Infinity;
  for (let k = 0; k <= alpha; k++) {
    const term = logBinomial(alpha, k) + k * Math.log(q) + (alpha - k) * Math.log1p(-q) + (k * k - k) / (2 * sigma * sigma);
    log = logAdd(log, term);
  }
  return log;
}

/**
 * log A_alpha for any order > 1, from its definition: E_{z ~ N(0, sigma^2)} [(1 - q + q exp((2z - 1) / (2 sigma^2)))^alpha],
 * by Simpson's rule in the log domain over [-14 sigma, alpha + 14 sigma] (the integrand has its two bumps at 0 and alpha).
 */
function logAByIntegration(q: number, sigma: number, alpha: number): number {
  const s2 = sigma * sigma;
  const lo = -14 * sigma;
  const hi = alpha + 14 * sigma;
  const steps = 2 * Math.ceil(((hi - lo) / sigma) * 200); // even, h = sigma / 400 at most
  const h = (hi - lo) / steps;
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const logNorm = -Math.log(sigma * Math.sqrt(2 * Math.PI));
  const f = (z: number) => logNorm - (z * z) / (2 * s2) + alpha * logAdd(log1mQ, logQ + (2 * z - 1) / (2 * s2));
  const values = new Float64Array(steps + 1);
  let max = -Infinity;
  for (let i = 0; i <= steps; i++) {
    values[i] = f(lo + i * h);
    if (values[i] > max) max = values[i];
  }
  let sum = 0;
  for (let i = 0; i <= steps; i++) sum += (i === 0 || i === steps ? 1 : i % 2 ? 4 : 2) * Math.exp(values[i] - max);
  return max + Math.log((sum * h) / 3);
}

/** RDP of one release of the sampled Gaussian mechanism (sampling rate q, noise multiplier sigma) at order alpha. */
export function sampledGaussianRdp(q: number, noiseMultiplier: number, alpha: number): number {
  requireNoise(noiseMultiplier);
  if (!(q > 0 && q <= 1)) throw new RangeError(`sampling rate must be in (0, 1], got ${q}`);
  if (q === 1) return gaussianRdp(noiseMultiplier, alpha);
  const logA = Number.isInteger(alpha) ? logAInteger(q, noiseMultiplier, alpha) : logAByIntegration(q, noiseMultiplier, alpha);
  return Math.max(0, logA / (alpha - 1));
}

export function epsilonFromRdp(rdpAtOrder: (alpha: number) => number, delta: number, orders: readonly number[] = RDP_ORDERS): { epsilon: number; order: number } {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  let best = { epsilon: Infinity, order: NaN };
  for (const alpha of orders) {
    const eps = rdpAtOrder(alpha) + Math.log((alpha - 1) / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
    if (eps < best.epsilon) best = { epsilon: Math.max(0, eps), order: alpha };
  }
  return best;
}

/** (epsilon, delta) after `releases` Gaussian releases with the given noise multiplier (every client in every round). */
export function gaussianMechanismEpsilon(noiseMultiplier: number, releases: number, delta: number): { epsilon: number; order: number } {
  requireNoise(noiseMultiplier);
  if (releases === 0) return { epsilon: 0, order: NaN };
  return epsilonFromRdp((alpha) => releases * gaussianRdp(noiseMultiplier, alpha), delta);
}

/** Per-order RDP of one sampled release, computed once per (q, sigma): a run asks after every round. */
const perReleaseCache = new Map<string, Map<number, number>>();

/**
 * (epsilon, delta) after `releases` rounds in which each client took part independently with probability q
 * (Poisson sampling) and the sum of clipped updates got Gaussian noise with the given multiplier.
 */
export function sampledGaussianEpsilon(q: number, noiseMultiplier: number, releases: number, delta: number): { epsilon: number; order: number } {
  requireNoise(noiseMultiplier);
  if (releases === 0) return { epsilon: 0, order: NaN };
  const key = `${q}:${noiseMultiplier}`;
  let perOrder = perReleaseCache.get(key);
  if (!perOrder) {
    perOrder = new Map(RDP_ORDERS.map((alpha) => [alpha, sampledGaussianRdp(q, noiseMultiplier, alpha)]));
    if (perReleaseCache.size > 16) perReleaseCache.clear();
    perReleaseCache.set(key, perOrder);
  }
  const rdp = perOrder;
  return epsilonFromRdp((alpha) => releases * rdp.get(alpha)!, delta);
}
