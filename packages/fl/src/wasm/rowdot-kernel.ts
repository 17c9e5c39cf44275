/**
 * A WebAssembly SIMD kernel for the small dense products of CLIP2FL's server step (classifier re-training and
 * the feature-bank update), where tfjs's per-kernel dispatch costs more than the arithmetic and plain
 * JavaScript does not vectorise. `dotRows`: out = A·Bᵀ (one dot product per pair of rows); `addProducts`:
 * out += C·B (rows of B scaled and accumulated), both in float32, four lanes at a time. Source: rowdot.wat
 * beside this file (assembled with wabt's `wat2wasm`; 1033 bytes).
 */
const ROWDOT_WASM_BASE64 = 'AGFzbQEAAAABDwJgAXsBfWAGf39/f39/AAMEAwABAQUDAQABByIDBm1lbW9yeQIAB2RvdFJvd3MAAQthZGRQcm9kdWN0cwACCr4HAxkAIAD9HwAgAP0fAZIgAP0fAiAA/R8DkpILowQCB38FeyAEQQJ0IQsCQANAIAYgAU8NASAAIAYgC2xqIQkgBSAGIANsQQJ0aiEMQQAhBwJAA0AgB0EEaiADSw0BIAIgByALbGohCv0MAAAAAAAAAAAAAAAAAAAAACEO/QwAAAAAAAAAAAAAAAAAAAAAIQ/9DAAAAAAAAAAAAAAAAAAAAAAhEP0MAAAAAAAAAAAAAAAAAAAAACERQQAhCAJAA0AgCCALTw0BIAkgCGr9AAQAIQ0gDiANIAogCGr9AAQA/eYB/eQBIQ4gDyANIAogC2ogCGr9AAQA/eYB/eQBIQ8gECANIAogC0EBdGogCGr9AAQA/eYB/eQBIRAgESANIAogC0EDbGogCGr9AAQA/eYB/eQBIREgCEEQaiEIDAALCyAMIAdBAnRqIA4QADgCACAMIAdBAnRqIA8QADgCBCAMIAdBAnRqIBAQADgCCCAMIAdBAnRqIBEQADgCDCAHQQRqIQcMAAsLAkADQCAHIANPDQEgAiAHIAtsaiEK/QwAAAAAAAAAAAAAAAAAAAAAIQ79DAAAAAAAAAAAAAAAAAAAAAAhD0EAIQgCQANAIAggC08NASAOIAkgCGr9AAQAIAogCGr9AAQA/eYB/eQBIQ4gDyAJIAhq/QAEECAKIAhq/QAEEP3mAf3kASEPIAhBIGohCAwACwsgDCAHQQJ0aiAOIA/95AEQADgCACAHQQFqIQcMAAsLIAZBAWohBgwACwsL/AIDB38EewF/IARBAnQhCwJAA0AgBiABTw0BIAUgBiALbGohCSAAIAYgA2xBAnRqIQxBACEHAkADQCAHQQRqIANLDQEgDCAHQQJ0aiERIBEqAgD9EyENIBEqAgT9EyEOIBEqAgj9EyEPIBEqAgz9EyEQIAIgByALbGohCkEAIQgCQANAIAggC08NASAJIAhqIAkgCGr9AAQAIA0gCiAIav0ABAD95gEgDiAKIAtqIAhq/QAEAP3mAf3kAf3kASAPIAogC0EBdGogCGr9AAQA/eYBIBAgCiALQQNsaiAIav0ABAD95gH95AH95AH9CwQAIAhBEGohCAwACwsgB0EEaiEHDAALCwJAA0AgByADTw0BIAwgB0ECdGoqAgD9EyENIAIgByALbGohCkEAIQgCQANAIAggC08NASAJIAhqIAkgCGr9AAQAIA0gCiAIav0ABAD95gH95AH9CwQAIAhBEGohCAwACwsgB0EBaiEHDAALCyAGQQFqIQYMAAsLCw==';

/** Rows passed to the kernel have a stride that is a multiple of this many floats (zero-padded). */
export const ROWDOT_LANES = 8;

interface RowDotExports {
  memory: WebAssembly.Memory;
  dotRows(a: number, na: number, b: number, nb: number, d: number, out: number): void;
  addProducts(coef: number, na: number, b: number, nb: number, d: number, out: number): void;
}

/** A row stride of at least `dim` floats that the kernel accepts. */
export function paddedRowLength(dim: number): number {
  return Math.ceil(dim / ROWDOT_LANES) * ROWDOT_LANES;
}

/**
 * One kernel instance with its own memory, carved into named float32 regions once (`reserve`), then used
 * through typed views that stay valid because memory never grows afterwards.
 */
export class RowDotKernel {
  private readonly exports: RowDotExports;
  private offsets = new Map<string, { byteOffset: number; length: number }>();
  private view: Float32Array;

  private constructor(exports: RowDotExports) {
    this.exports = exports;
    this.view = new Float32Array(exports.memory.buffer);
  }

  /** A kernel, or null where WebAssembly SIMD is not available. */
  static create(): RowDotKernel | null {
    const module = compiledModule();
    return module ? new RowDotKernel(new WebAssembly.Instance(module, {}).exports as unknown as RowDotExports) : null;
  }

  /** Lays out zeroed regions of the given float counts (replacing any earlier layout). */
  reserve(regions: Record<string, number>): void {
    let bytes = 0;
    this.offsets = new Map();
    for (const [name, length] of Object.entries(regions)) {
      this.offsets.set(name, { byteOffset: bytes, length });
      bytes += Math.ceil((length * 4) / 16) * 16;
    }
    const memory = this.exports.memory;
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    this.view = new Float32Array(memory.buffer);
    this.view.fill(0, 0, bytes / 4);
  }

  /** The float32 view of a region. */
  region(name: string): Float32Array {
    const r = this.offsets.get(name);
    if (!r) throw new Error(`kernel region "${name}" was not reserved`);
    return this.view.subarray(r.byteOffset / 4, r.byteOffset / 4 + r.length);
  }

  /** Byte offset of float `index` of a region, for the product calls. */
  offset(name: string, index = 0): number {
    const r = this.offsets.get(name);
    if (!r) throw new Error(`kernel region "${name}" was not reserved`);
    return r.byteOffset + index * 4;
  }

  /** out[i·nb + j] = Σ_k a[i, k]·b[j, k] over rows of stride `d` (a multiple of ROWDOT_LANES); byte offsets. */
  dotRows(a: number, na: number, b: number, nb: number, d: number, out: number): void {
    this.exports.dotRows(a, na, b, nb, d, out);
  }

  /** out[i, :] += Σ_j coef[i·nb + j]·b[j, :] over rows of stride `d` (a multiple of ROWDOT_LANES); byte offsets. */
  addProducts(coef: number, na: number, b: number, nb: number, d: number, out: number): void {
    this.exports.addProducts(coef, na, b, nb, d, out);
  }
}

/** Whether this runtime has WebAssembly SIMD (the kernel compiles), without instantiating it. */
export function rowDotKernelAvailable(): boolean {
  return compiledModule() !== null;
}

let compiled: WebAssembly.Module | null | undefined;

function compiledModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bin = atob(ROWDOT_WASM_BASE64);
      const bytes = new Uint8Array(new ArrayBuffer(bin.length));
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}
