import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16';

describe('float16 conversion', () => {
  it('converts known values both ways', () => {
    const values = new Float32Array([0, -0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8, Infinity, -Infinity]);
    const bits = float32ToFloat16Bits(values);
    expect(Array.from(bits)).toEqual([0x0000, 0x8000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x0400, 0x0001, 0x7c00, 0xfc00]);
    expect(Array.from(float16BitsToFloat32(bits))).toEqual(Array.from(values));
  });

  it('rounds to nearest even and overflows to infinity', () => {
    // 1 + 2^-11 is exactly half-way between 1 and the next half (1 + 2^-10): ties go to even (1).
    expect(Array.from(float32ToFloat16Bits(new Float32Array([1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000, 1e-9])))).toEqual([
      0x3c00, 0x3c02, 0x7c00, 0x0000,
    ]);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(new Float32Array([NaN])))[0])).toBe(true);
  });
});
