import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ImageDecodeError } from '../errors';
import type { RgbaImage } from '../image/rgba-image';

// Pure-JS decoders (pngjs, jpeg-js): no native build, so they install anywhere Node runs.
// Both hand back 8-bit RGBA whatever the source (palette, grey, 16-bit PNG; grey or CMYK JPEG).

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_PIXELS = 64 * 1024 * 1024;

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** Decodes PNG or JPEG bytes to RGBA; `name` only labels errors. */
export function decodeImageBytes(bytes: Uint8Array, name = 'image'): RgbaImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (startsWith(bytes, PNG_MAGIC)) {
      const png = PNG.sync.read(buf);
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, data: img.data };
    }
  } catch (e) {
    throw new ImageDecodeError(`${name} could not be decoded: ${(e as Error).message}`);
  }
  throw new ImageDecodeError(`${name} is neither a PNG nor a JPEG (${bytes.length} bytes, starting ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')})`);
}

/** Reads and decodes a PNG or JPEG file to RGBA. */
export async function decodeImageFile(path: string): Promise<RgbaImage> {
  return decodeImageBytes(await readFile(path), path);
}
