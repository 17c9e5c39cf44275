import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecodeError } from '../errors';
import { decodeImageBytes, decodeImageFile } from './decode-image';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clip-decode-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function gradient(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i * 7) % 256, (i * 13) % 256, 200, i % 2 ? 255 : 128], i * 4);
  return data;
}

describe('decodeImageFile', () => {
  it('decodes PNG exactly, alpha included', async () => {
    const png = new PNG({ width: 5, height: 3 });
    const pixels = gradient(5, 3);
    png.data = Buffer.from(pixels);
    const path = join(dir, 'a.png');
    await writeFile(path, PNG.sync.write(png));
    const img = await decodeImageFile(path);
    expect(img.width).toBe(5);
    expect(img.height).toBe(3);
    expect(Array.from(img.data)).toEqual(Array.from(pixels));
  });

  it('decodes greyscale PNG to RGBA', () => {
    const png = new PNG({ width: 2, height: 2, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
    png.data = Buffer.from([0, 85, 170, 255]);
    const img = decodeImageBytes(PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
    expect(Array.from(img.data)).toEqual([0, 0, 0, 255, 85, 85, 85, 255, 170, 170, 170, 255, 255, 255, 255, 255]);
  });

  it('decodes JPEG close to the encoded pixels', async () => {
    const width = 16;
    const height = 16;
    const data = new Uint8Array(width * height * 4).fill(255);
    for (let i = 0; i < width * height; i++) data.set([120, 60, 30], i * 4);
    const path = join(dir, 'b.jpg');
    await writeFile(path, jpeg.encode({ width, height, data }, 95).data);
    const img = await decodeImageFile(path);
    expect([img.width, img.height]).toEqual([16, 16]);
    for (let c = 0; c < 4; c++) expect(Math.abs(img.data[c] - [120, 60, 30, 255][c])).toBeLessThanOrEqual(3);
  });

  it('throws ImageDecodeError on garbage, truncated files and other formats', async () => {
    const path = join(dir, 'garbage.png');
    await writeFile(path, 'definitely not an image');
    await expect(decodeImageFile(path)).rejects.toThrow(ImageDecodeError);
    await expect(decodeImageFile(path)).rejects.toThrow(/neither a PNG nor a JPEG/);
    const png = new PNG({ width: 8, height: 8 });
    png.data = Buffer.from(gradient(8, 8));
    const truncated = PNG.sync.write(png).subarray(0, 40);
    expect(() => decodeImageBytes(truncated, 'cut.png')).toThrow(/cut\.png could not be decoded/);
    expect(() => decodeImageBytes(new Uint8Array([0xff, 0xd8, 0xff, 0x00, 1, 2]), 'x.jpg')).toThrow(ImageDecodeError);
  });
});
