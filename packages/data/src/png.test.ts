import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePngRgb, tileImages } from './png';

describe('encodePngRgb', () => {
  it('writes a PNG whose header and pixel data round-trip', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]); // 2x2
    const png = encodePngRgb(rgb, 2, 2);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([2, 2]);
    const idatLength = view.getUint32(33);
    expect(String.fromCharCode(...png.subarray(37, 41))).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect([...raw]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9]);
    expect(() => encodePngRgb(rgb, 3, 2)).toThrow(/not 3x2x3/);
  });
});

describe('tileImages', () => {
  it('places images left to right, top to bottom, on white', () => {
    const black = new Uint8Array(3 * 1 * 1).fill(0);
    const { rgb, width, height } = tileImages([black, black, black], 1, 2, 1);
    expect([width, height]).toEqual([5, 5]);
    const at = (x: number, y: number) => rgb[(y * width + x) * 3];
    expect([at(1, 1), at(3, 1), at(1, 3), at(3, 3), at(0, 0)]).toEqual([0, 0, 0, 255, 255]);
  });
});
