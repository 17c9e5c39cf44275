import { z } from 'zod';

/**
 * A client's image shard as one binary body: "CFS1", a little-endian u32 header length, a JSON header,
 * then the raw RGB bytes [n, height, width, 3]. One fetch, no per-image requests, no base64.
 */
export interface ImageShard {
  label: string;
  classNames: string[];
  width: number;
  height: number;
  labels: Int32Array;
  images: Uint8Array;
}

const MAGIC = 'CFS1';

const headerSchema = z.object({
  label: z.string(),
  classNames: z.array(z.string()),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  labels: z.array(z.number().int().min(0)),
});

export class ShardDecodeError extends Error {
  override name = 'ShardDecodeError';
}

export function encodeShard(shard: ImageShard): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ label: shard.label, classNames: shard.classNames, width: shard.width, height: shard.height, labels: Array.from(shard.labels) }),
  );
  const out = new Uint8Array(8 + header.length + shard.images.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  out.set(shard.images, 8 + header.length);
  return out;
}

export function decodeShard(bytes: Uint8Array): ImageShard {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new ShardDecodeError('not an image shard (bad magic)');
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new ShardDecodeError('image shard is truncated (header)');
  let header: z.infer<typeof headerSchema>;
  try {
    header = headerSchema.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))));
  } catch (e) {
    throw new ShardDecodeError(`image shard header is invalid: ${(e as Error).message}`);
  }
  const images = bytes.subarray(8 + headerLength);
  const expected = header.labels.length * header.width * header.height * 3;
  if (images.length !== expected) {
    throw new ShardDecodeError(`image shard has ${images.length} image bytes, expected ${expected}`);
  }
  if (header.labels.some((l) => l >= header.classNames.length)) throw new ShardDecodeError('image shard has a label out of range');
  return { ...header, labels: Int32Array.from(header.labels), images };
}
