import { z } from 'zod';
import { BYTES_PER_ELEMENT, decodeTensor, encodeTensor, type TensorRecord, type WireDType } from './tensor-codec';

/**
 * Named tensors in one binary blob: "CFT1", a little-endian u32 header length, a JSON header
 * (tensor names, shapes, dtypes, byte ranges and free-form metadata), then the tensor bytes.
 * Used for checkpoints on disk and for weight downloads over HTTP.
 */
const MAGIC = 'CFT1';

const headerSchema = z.object({
  meta: z.record(z.string(), z.unknown()),
  tensors: z.array(
    z.object({
      name: z.string(),
      shape: z.array(z.number().int().min(1)),
      dtype: z.enum(['float32', 'float16', 'int8']),
      scale: z.number().optional(),
      offset: z.number().int().min(0),
      byteLength: z.number().int().min(0),
    }),
  ),
});

export class TensorFileError extends Error {
  override name = 'TensorFileError';
}

export function encodeTensorFile(tensors: readonly TensorRecord[], meta: Record<string, unknown> = {}, dtype: WireDType = 'float32'): Uint8Array {
  const wire = tensors.map((t) => encodeTensor(t, dtype));
  let offset = 0;
  const entries = wire.map((w) => {
    const e = { name: w.name, shape: w.shape, dtype: w.dtype, scale: w.scale, offset, byteLength: w.bytes.byteLength };
    offset += w.bytes.byteLength;
    return e;
  });
  const header = new TextEncoder().encode(JSON.stringify({ meta, tensors: entries }));
  const out = new Uint8Array(8 + header.length + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  const base = 8 + header.length;
  wire.forEach((w, i) => out.set(w.bytes, base + entries[i].offset));
  return out;
}

export function decodeTensorFile(bytes: Uint8Array): { meta: Record<string, unknown>; tensors: TensorRecord[] } {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new TensorFileError('not a tensor file (bad magic)');
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new TensorFileError('tensor file is truncated (header)');
  let header: z.infer<typeof headerSchema>;
  try {
    header = headerSchema.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))));
  } catch (e) {
    throw new TensorFileError(`tensor file header is invalid: ${(e as Error).message}`);
  }
  const base = 8 + headerLength;
  const tensors = header.tensors.map((e) => {
    const end = base + e.offset + e.byteLength;
    if (end > bytes.length) throw new TensorFileError(`tensor file is truncated: "${e.name}" ends at byte ${end} of ${bytes.length}`);
    if (e.byteLength !== e.shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT[e.dtype]) {
      throw new TensorFileError(`tensor file entry "${e.name}" has a byte length that does not match its shape`);
    }
    return decodeTensor({ name: e.name, shape: e.shape, dtype: e.dtype, scale: e.scale, bytes: bytes.subarray(base + e.offset, end) });
  });
  return { meta: header.meta, tensors };
}
