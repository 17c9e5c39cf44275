import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

export class IdxFormatError extends Error {
  override name = 'IdxFormatError';
}

/** An IDX array of unsigned bytes (the only element type MNIST-style files use). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/**
 * Parses an IDX file (LeCun's MNIST format): magic 0x00 0x00 <type> <ndims>, then ndims big-endian
 * uint32 sizes, then the data. Only unsigned-byte data is accepted. `source` names the file in errors.
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) throw new IdxFormatError(`${source}: ${bytes.length} bytes is too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxFormatError(`${source}: not an IDX file (the first two bytes must be 0, got ${bytes[0]} ${bytes[1]}); is it still gzip-compressed?`);
  }
  if (bytes[2] !== UNSIGNED_BYTE) throw new IdxFormatError(`${source}: element type 0x${bytes[2].toString(16)} is not supported (expected 0x08, unsigned byte)`);
  const ndims = bytes[3];
  if (ndims < 1) throw new IdxFormatError(`${source}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw new IdxFormatError(`${source}: truncated header (${bytes.length} bytes, the ${ndims}-d header needs ${headerBytes})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let k = 0; k < ndims; k++) dims.push(view.getUint32(4 + 4 * k, false));
  const expected = dims.reduce((p, d) => p * d, 1);
  const actual = bytes.length - headerBytes;
  if (actual < expected) {
    throw new IdxFormatError(`${source}: truncated data: dims [${dims.join(', ')}] need ${expected} bytes after the header, the file has ${actual}`);
  }
  if (actual > expected) throw new IdxFormatError(`${source}: ${actual - expected} unexpected trailing bytes after dims [${dims.join(', ')}]`);
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Decompresses when the bytes start with the gzip magic, otherwise returns them as they are. */
export async function maybeGunzip(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return new Uint8Array(await gunzipAsync(bytes));
    } catch (e) {
      throw new IdxFormatError(`${source}: gzip data is damaged or truncated (${(e as Error).message})`);
    }
  }
  return bytes;
}

/** Serialises an unsigned-byte IDX array (used by tests and tools that write small datasets). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = UNSIGNED_BYTE;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}
