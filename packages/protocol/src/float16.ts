// IEEE 754 half precision, round-to-nearest-even. Written out because Float16Array is not in Node 20. The one
// implementation in the project: the wire codec uses it, and so does packages/clip for fp16 ONNX models.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow -> signed zero
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1))) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++; // may carry into the exponent, which is correct
  return half;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * All 65,536 half-precision values as float32 (256 KB, built on first use). A table lookup decodes an adapter in
 * about a millisecond; the arithmetic above took 60-80 ms, which a server receiving a thousand uploads a round
 * (and a process simulating a thousand clients) could not afford.
 */
let table: Float32Array | null = null;

export function float16BitsToFloat32(h: number): number {
  table ??= buildTable();
  return table[h & 0xffff];
}

/** Encodes many values at once (the codec's uploads, and CLIP's `_fp16` model inputs). */
export function float32ArrayToFloat16(values: Float32Array, out: Uint16Array = new Uint16Array(values.length)): Uint16Array {
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]);
  return out;
}

/** Decodes many values at once: the loop the codec runs (and CLIP's `_fp16` model outputs). */
export function float16ArrayToFloat32(bits: Uint16Array, out: Float32Array = new Float32Array(bits.length)): Float32Array {
  const t = (table ??= buildTable());
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]];
  return out;
}

function buildTable(): Float32Array {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = halfToFloat(h);
  return t;
}
