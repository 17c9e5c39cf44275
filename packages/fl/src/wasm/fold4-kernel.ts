/**
 * A WebAssembly SIMD kernel for the streaming weighted sum: `fold4` adds four float32 updates into float64
 * accumulators, dst[i] += wa·a[i] + wb·b[i] + wc·c[i] + wd·d[i], two float64 lanes at a time; `scale` turns the
 * sums into the float32 mean. Source: fold4.wat beside this file (assembled with wabt's `wat2wasm`; 542 bytes). JavaScript does not vectorise the same loop, which then
 * costs about 3× one read of the updates; this kernel is at about one read (docs/BENCHMARKS.md).
 */
const FOLD4_WASM_BASE64 = 'AGFzbQEAAAABFQJgCn9/f39/f3x8fHwAYAR/f398AAMDAgABBQMBAAEHGgMGbWVtb3J5AgAFZm9sZDQAAAVzY2FsZQABCtYDAuwCAgF/B3sgBv0UIQ4gB/0UIQ8gCP0UIRAgCf0UIRECQANAIAogBU8NASABIApBAnRq/QAEACELIAv9XyAO/fIBIQwgCyAL/Q0ICQoLDA0ODwABAgMEBQYH/V8gDv3yASENIAIgCkECdGr9AAQAIQsgDCAL/V8gD/3yAf3wASEMIA0gCyAL/Q0ICQoLDA0ODwABAgMEBQYH/V8gD/3yAf3wASENIAMgCkECdGr9AAQAIQsgDCAL/V8gEP3yAf3wASEMIA0gCyAL/Q0ICQoLDA0ODwABAgMEBQYH/V8gEP3yAf3wASENIAQgCkECdGr9AAQAIQsgDCAL/V8gEf3yAf3wASEMIA0gCyAL/Q0ICQoLDA0ODwABAgMEBQYH/V8gEf3yAf3wASENIAAgCkEDdGogACAKQQN0av0ABAAgDP3wAf0LBAAgACAKQQN0aiAAIApBA3Rq/QAEECAN/fAB/QsEECAKQQRqIQoMAAsLC2YCAX8BeyAD/RQhBQJAA0AgBCACTw0BIAAgBEECdGogASAEQQN0av0ABAAgBf3yAf1eIAEgBEEDdGr9AAQQIAX98gH9Xv0NAAECAwQFBgcQERITFBUWF/0LBAAgBEEEaiEEDAALCws=';

export interface Fold4Kernel {
  memory: WebAssembly.Memory;
  /** Byte offsets: dst (float64), a..d (float32); n a multiple of 4. */
  fold4(dst: number, a: number, b: number, c: number, d: number, n: number, wa: number, wb: number, wc: number, wd: number): void;
  /** Byte offsets: dst (float32), src (float64); dst[i] = scale·src[i] for i < n, n a multiple of 4. */
  scale(dst: number, src: number, n: number, scale: number): void;
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
  return { memory: exports.memory, fold4: exports.fold4, scale: exports.scale };
}
