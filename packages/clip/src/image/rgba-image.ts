/** Pixels as 8-bit RGBA, row-major, 4 bytes per pixel (what canvas `getImageData` gives). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

export class ImageFormatError extends Error {
  override readonly name = 'ImageFormatError';
}

/**
 * Checks an image and returns its channel count. RGBA is the contract, but 1-channel (grey) and
 * 3-channel (RGB) buffers of the same size are accepted too, so decoded greyscale datasets
 * (Fashion-MNIST) need no conversion first.
 */
export function channelsOf(img: RgbaImage): 1 | 3 | 4 {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new ImageFormatError(`image size must be positive integers, got ${width}x${height}`);
  }
  const px = width * height;
  if (data.length === px * 4) return 4;
  if (data.length === px * 3) return 3;
  if (data.length === px) return 1;
  throw new ImageFormatError(
    `image data has ${data.length} bytes; a ${width}x${height} image needs ${px * 4} (RGBA), ${px * 3} (RGB) or ${px} (grey)`,
  );
}
