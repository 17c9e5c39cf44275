/**
 * A WebAssembly SIMD kernel for the small dense products of CLIP2FL's server step (classifier re-training and
 * the feature-bank update), where tfjs's per-kernel dispatch costs more than the arithmetic and plain
 * JavaScript does not vectorise. `dotRows`: out = A·Bᵀ (one dot product per pair of rows); `addProducts`:
 * out += C·B (rows of B scaled and accumulated), both in float32, four lanes at a time. Source: rowdot.wat
 * beside this file (assembled with wabt's `wat2wasm`; 524 bytes).
 */
const ROWDOT_WASM_BASE64 = 'AGFzbQEAAAABCgFgBn9/f39/fwADAwIAAAUDAQABByIDBm1lbW9yeQIAB2RvdFJvd3MAAAthZGRQcm9kdWN0cwABCscDAvwBAgZ/AnsgBEECdCELAkADQCAGIAFPDQEgACAGIAtsaiEJQQAhBwJAA0AgByADTw0BIAIgByALbGohCv0MAAAAAAAAAAAAAAAAAAAAACEM/QwAAAAAAAAAAAAAAAAAAAAAIQ1BACEIAkADQCAIIAtPDQEgDCAJIAhq/QAEACAKIAhq/QAEAP3mAf3kASEMIA0gCSAIav0ABBAgCiAIav0ABBD95gH95AEhDSAIQSBqIQgMAAsLIAwgDf3kASEMIAUgBiADbCAHakECdGogDP0fACAM/R8BkiAM/R8CIAz9HwOSkjgCACAHQQFqIQcMAAsLIAZBAWohBgwACwsLxgECBn8BeyAEQQJ0IQsCQANAIAYgAU8NASAFIAYgC2xqIQlBACEHAkADQCAHIANPDQEgACAGIANsIAdqQQJ0aioCAP0TIQwgAiAHIAtsaiEKQQAhCAJAA0AgCCALTw0BIAkgCGogCSAIav0ABAAgDCAKIAhq/QAEAP3mAf3kAf0LBAAgCSAIaiAJIAhq/QAEECAMIAogCGr9AAQQ/eYB/eQB/QsEECAIQSBqIQgMAAsLIAdBAWohBwwACwsgBkEBaiEGDAALCws=';

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
