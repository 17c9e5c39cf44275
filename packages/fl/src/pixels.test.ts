import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_PIXELS, preprocessPixels, rgbPixelFormat } from './pixels';

describe('preprocessPixels', () => {
  it('turns grey RGB bytes of the same size into one normalised channel', () => {
    const rgb = new Uint8Array(2 * 28 * 28 * 3);
    for (let p = 0; p < 2 * 28 * 28; p++) rgb.fill(p % 256, p * 3, p * 3 + 3);
    const x = preprocessPixels(rgb, 28, 28, FASHION_MNIST_PIXELS);
    expect(x).toHaveLength(2 * 28 * 28);
    expect(x[0]).toBeCloseTo((0 / 255 - 0.286) / 0.353, 5);
    expect(x[300]).toBeCloseTo((((300 % 256) / 255) - 0.286) / 0.353, 5);
  });

  it('averages colour to grey, and keeps colour channels in order for an RGB format', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 51]);
    const grey = preprocessPixels(rgb, 2, 1, { width: 2, height: 1, channels: 1, mean: [0], std: [1] });
    expect(Array.from(grey)).toEqual([expect.closeTo(1 / 3, 6), expect.closeTo(306 / 765, 6)]);
    const colour = preprocessPixels(rgb, 2, 1, rgbPixelFormat(2, 1));
    expect(Array.from(colour)).toEqual([1, -1, -1, -1, 1, 51 / 127.5 - 1].map((v) => expect.closeTo(v, 6)));
  });

  it('shrinks by averaging whole blocks (a 224×224 photo to a 28×28 thumbnail) and enlarges smoothly', () => {
    // 4×4 → 2×2: each output pixel is the mean of a 2×2 block.
    const rgb = new Uint8Array(4 * 4 * 3);
    const values = [0, 40, 80, 120, 10, 50, 90, 130, 200, 200, 0, 0, 200, 200, 0, 0];
    values.forEach((v, i) => rgb.fill(v, i * 3, i * 3 + 3));
    const small = preprocessPixels(rgb, 4, 4, { width: 2, height: 2, channels: 1, mean: [0], std: [1 / 255] });
    expect(Array.from(small)).toEqual([25, 105, 200, 0].map((v) => expect.closeTo(v, 4)));
    const photo = new Uint8Array(224 * 224 * 3).fill(128);
    const thumb = preprocessPixels(photo, 224, 224, FASHION_MNIST_PIXELS);
    expect(thumb).toHaveLength(28 * 28);
    for (const v of thumb) expect(v).toBeCloseTo((128 / 255 - 0.286) / 0.353, 4);
    // 2 → 4 along a row: interpolated between the two centres, clamped at the edges.
    const row = Uint8Array.from([0, 0, 0, 100, 100, 100]);
    const big = preprocessPixels(row, 2, 1, { width: 4, height: 1, channels: 1, mean: [0], std: [1 / 255] });
    expect(Array.from(big)).toEqual([0, 25, 75, 100].map((v) => expect.closeTo(v, 4)));
  });

  it('refuses bytes that are not whole images and formats that do not add up', () => {
    expect(() => preprocessPixels(new Uint8Array(10), 2, 2, FASHION_MNIST_PIXELS)).toThrow(/whole number/);
    expect(() => preprocessPixels(new Uint8Array(12), 2, 2, { ...FASHION_MNIST_PIXELS, mean: [0, 0] })).toThrow(/means/);
  });
});
