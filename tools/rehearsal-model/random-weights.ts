/** mulberry32: a small seeded generator, so a seed always writes the same model bytes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in ±std·√3 (variance std²): CLIP's own initialisation scale, so activations stay in range. */
export function randomTensor(rand: () => number, n: number, std: number): Float32Array {
  const bound = std * Math.sqrt(3);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * bound;
  return out;
}

export interface QuantizedTensor {
  codes: Uint8Array;
  scale: number;
  zeroPoint: number;
}

/**
 * onnxruntime's dynamic quantisation of a weight to uint8 (QUInt8, per tensor, asymmetric): the range is widened
 * to include 0, scale = (max - min) / 255, zero point = round(-min / scale).
 */
export function quantizeUint8(w: Float32Array): QuantizedTensor {
  let min = 0;
  let max = 0;
  for (const v of w) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = (max - min) / 255 || 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  const codes = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) codes[i] = Math.min(255, Math.max(0, Math.round(w[i] / scale) + zeroPoint));
  return { codes, scale, zeroPoint };
}
