/**
 * A WebAssembly SIMD kernel for the streaming weighted sum: dst[i] += wa·a[i] + wb·b[i] + wc·c[i] + wd·d[i],
 * four float32 updates into float64 accumulators, two float64 lanes at a time. Source: fold4.wat beside this
 * file (assembled with wabt's `wat2wasm`; 423 bytes). JavaScript does not vectorise the same loop, which then
 * costs about 3× one read of the updates; this kernel is at about one read (docs/BENCHMARKS.md).
 */
const FOLD4_WASM_BASE64 = 'AGFzbQEAAAABDgFgCn9/f39/f3x8fHwAAwIBAAUDAQABBxICBm1lbW9yeQIABWZvbGQ0AAAK7wIB7AICAX8HeyAG/RQhDiAH/RQhDyAI/RQhECAJ/RQhEQJAA0AgCiAFTw0BIAEgCkECdGr9AAQAIQsgC/1fIA798gEhDCALIAv9DQgJCgsMDQ4PAAECAwQFBgf9XyAO/fIBIQ0gAiAKQQJ0av0ABAAhCyAMIAv9XyAP/fIB/fABIQwgDSALIAv9DQgJCgsMDQ4PAAECAwQFBgf9XyAP/fIB/fABIQ0gAyAKQQJ0av0ABAAhCyAMIAv9XyAQ/fIB/fABIQwgDSALIAv9DQgJCgsMDQ4PAAECAwQFBgf9XyAQ/fIB/fABIQ0gBCAKQQJ0av0ABAAhCyAMIAv9XyAR/fIB/fABIQwgDSALIAv9DQgJCgsMDQ4PAAECAwQFBgf9XyAR/fIB/fABIQ0gACAKQQN0aiAAIApBA3Rq/QAEACAM/fAB/QsEACAAIApBA3RqIAAgCkEDdGr9AAQQIA398AH9CwQQIApBBGohCgwACwsL';

export interface Fold4Kernel {
  memory: WebAssembly.Memory;
  /** Byte offsets: dst (float64), a..d (float32); n a multiple of 4. */
  fold4(dst: number, a: number, b: number, c: number, d: number, n: number, wa: number, wb: number, wc: number, wd: number): void;
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let compiled: WebAssembly.Module | null | undefined;

/** A fresh kernel instance (its own memory), or null where WebAssembly SIMD is not available. */
export function createFold4Kernel(): Fold4Kernel | null {
  if (compiled === undefined) {
    try {
      const bytes = decodeBase64(FOLD4_WASM_BASE64);
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return null;
  const exports = new WebAssembly.Instance(compiled, {}).exports as unknown as Fold4Kernel;
  return { memory: exports.memory, fold4: exports.fold4 };
}
