import { ImageDecodeError } from '../errors';
import type { RgbaImage } from '../image/rgba-image';

/**
 * Decodes an image Blob/File with the browser's own decoders (PNG, JPEG, WebP, GIF...) to RGBA.
 * Works in a page and in a Web Worker. Alpha is kept un-premultiplied and colours unconverted,
 * so the bytes match what a file decoder would give.
 */
export async function decodeImageBlob(blob: Blob): Promise<RgbaImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (e) {
    const name = (blob as File).name ? `"${(blob as File).name}"` : 'the image';
    throw new ImageDecodeError(`${name} (${blob.type || 'unknown type'}, ${blob.size} bytes) could not be decoded: ${(e as Error).message}`);
  }
  try {
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new ImageDecodeError('no 2D canvas context available to read the image pixels');
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, width, height);
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}
