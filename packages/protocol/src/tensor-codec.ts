import { float16ArrayToFloat32, float32ArrayToFloat16 } from './float16';

/** A named float tensor as the algorithms see it (structurally the same as `@clipfed/fl`'s NamedTensor). */
export interface TensorRecord {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** How a tensor's values are laid out on the wire. `int8` is symmetric per-tensor quantisation. */
export type WireDType = 'float32' | 'float16' | 'int8';

/** A tensor as it crosses the wire: metadata as JSON, values as one binary attachment (never a JSON array). */
export interface WireTensor {
  name: string;
  shape: number[];
  dtype: WireDType;
  /** Only for int8: value = byte * scale. */
  scale?: number;
  bytes: Uint8Array;
}

export const BYTES_PER_ELEMENT: Record<WireDType, number> = { float32: 4, float16: 2, int8: 1 };

export class TensorDecodeError extends Error {
  override name = 'TensorDecodeError';
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function encodeTensor(t: TensorRecord, dtype: WireDType = 'float32'): WireTensor {
  const n = t.data.length;
  if (n !== elementCount(t.shape)) throw new TensorDecodeError(`tensor "${t.name}": ${n} values for shape [${t.shape}]`);
  if (dtype === 'float32') {
    // Copy so the caller may reuse or dispose its buffer, and so the attachment is exactly this tensor.
    return { name: t.name, shape: [...t.shape], dtype, bytes: new Uint8Array(t.data.slice().buffer) };
  }
  if (dtype === 'float16') {
    return { name: t.name, shape: [...t.shape], dtype, bytes: new Uint8Array(float32ArrayToFloat16(t.data).buffer) };
  }
  let maxAbs = 0;
  for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(t.data[i]));
  const scale = maxAbs > 0 ? maxAbs / 127 : 1;
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(t.data[i] / scale);
  return { name: t.name, shape: [...t.shape], dtype, scale, bytes: new Uint8Array(out.buffer) };
}

export function encodeTensors(tensors: readonly TensorRecord[], dtype: WireDType = 'float32'): WireTensor[] {
  return tensors.map((t) => encodeTensor(t, dtype));
}

/** Copies into an aligned buffer: attachments arrive as Node Buffers that may sit at any byte offset. */
function alignedCopy(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/**
 * The tensor's values as float32. `into`, when it holds exactly the tensor's value count, receives them (a buffer
 * reused for every upload costs no new memory); otherwise a new array does.
 */
export function decodeTensor(w: WireTensor, into?: Float32Array): TensorRecord {
  const n = elementCount(w.shape);
  const expected = n * BYTES_PER_ELEMENT[w.dtype];
  if (w.bytes.byteLength !== expected) {
    throw new TensorDecodeError(
      `tensor "${w.name}": ${w.bytes.byteLength} bytes, expected ${expected} for ${w.dtype} shape [${w.shape}]`,
    );
  }
  const data = into?.length === n ? into : new Float32Array(n);
  if (w.dtype === 'float32') new Uint8Array(data.buffer, data.byteOffset, expected).set(w.bytes);
  else if (w.dtype === 'float16') {
    // Read in place where the bytes are 2-aligned.
    const bits = w.bytes.byteOffset % 2 === 0 ? new Uint16Array(w.bytes.buffer, w.bytes.byteOffset, n) : new Uint16Array(alignedCopy(w.bytes));
    float16ArrayToFloat32(bits, data);
  } else {
    if (w.scale === undefined || !Number.isFinite(w.scale) || w.scale <= 0) {
      throw new TensorDecodeError(`tensor "${w.name}": int8 needs a positive finite scale`);
    }
    const q = new Int8Array(w.bytes.buffer, w.bytes.byteOffset, n);
    for (let i = 0; i < n; i++) data[i] = q[i] * w.scale;
  }
  return { name: w.name, shape: [...w.shape], data };
}

/** Decodes each tensor, the k-th into `into[k]` where that fits (see `decodeTensor`). */
export function decodeTensors(ws: readonly WireTensor[], into?: readonly Float32Array[]): TensorRecord[] {
  return ws.map((w, k) => decodeTensor(w, into?.[k]));
}

export function wireByteLength(ws: readonly WireTensor[]): number {
  return ws.reduce((s, w) => s + w.bytes.byteLength, 0);
}
