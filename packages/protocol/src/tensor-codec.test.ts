import { describe, expect, it } from 'vitest';
import { decodeTensor, encodeTensor, TensorDecodeError, wireByteLength, encodeTensors } from './tensor-codec';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16';

const t = { name: 'w1', shape: [2, 3], data: Float32Array.from([0.5, -1.25, 3, 1e-3, -65504, 0]) };

describe('tensor codec', () => {
  it.each(['float32', 'float16', 'int8'] as const)('decodes %s into a given buffer when it fits, into a new array when not', (dtype) => {
    const t = { name: 'w', shape: [2, 2], data: Float32Array.of(0.5, -1, 2, 0.25) };
    const wire = encodeTensor(t, dtype);
    const expected = decodeTensor(wire).data;
    const buffer = new Float32Array(4).fill(9);
    expect(decodeTensor(wire, buffer).data).toBe(buffer);
    expect(buffer).toEqual(expected);
    const wrongSize = new Float32Array(5);
    const decoded = decodeTensor(wire, wrongSize);
    expect(decoded.data).not.toBe(wrongSize);
    expect(decoded.data).toEqual(expected);
    expect(wrongSize).toEqual(new Float32Array(5));
  });

  it.each(['float32', 'float16', 'int8'] as const)('decodes %s bytes at any offset of a larger buffer into an array of its own', (dtype) => {
    const t = { name: 'w', shape: [2, 3], data: Float32Array.of(0.5, -1, 2, 0.25, 3, -0.125) };
    const wire = encodeTensor(t, dtype);
    const expected = decodeTensor(wire).data;
    for (const offset of [0, 1, 2, 3]) {
      // How a socket delivers an attachment: a slice of a bigger buffer, at whatever offset it landed.
      const slab = new Uint8Array(offset + wire.bytes.byteLength + 5).fill(0xff);
      slab.set(wire.bytes, offset);
      const decoded = decodeTensor({ ...wire, bytes: slab.subarray(offset, offset + wire.bytes.byteLength) });
      expect(decoded.data).toEqual(expected);
      slab.fill(0);
      expect(decoded.data).toEqual(expected);
    }
  });

  it('round-trips float32 exactly as binary, not JSON', () => {
    const w = encodeTensor(t);
    expect(w.bytes).toBeInstanceOf(Uint8Array);
    expect(w.bytes.byteLength).toBe(24);
    expect(Array.from(decodeTensor(w).data)).toEqual(Array.from(t.data));
  });

  it('decodes from an unaligned Node Buffer, as socket.io delivers attachments', () => {
    const w = encodeTensor(t);
    const padded = Buffer.alloc(w.bytes.byteLength + 1);
    padded.set(w.bytes, 1);
    const d = decodeTensor({ ...w, bytes: padded.subarray(1) });
    expect(Array.from(d.data)).toEqual(Array.from(t.data));
  });

  it('float16 halves the bytes and keeps 3 significant digits', () => {
    const w = encodeTensor(t, 'float16');
    expect(w.bytes.byteLength).toBe(12);
    const d = decodeTensor(w).data;
    t.data.forEach((v, i) => expect(d[i]).toBeCloseTo(v, Math.abs(v) > 100 ? -1 : 3));
  });

  it('float16 conversion handles specials and rounds to nearest even', () => {
    expect(float16BitsToFloat32(float32ToFloat16Bits(Infinity))).toBe(Infinity);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN)))).toBe(true);
    expect(float16BitsToFloat32(float32ToFloat16Bits(1e6))).toBe(Infinity);
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float16BitsToFloat32(float32ToFloat16Bits(2 ** -24))).toBe(2 ** -24);
  });

  it('every one of the 65,536 float16 values decodes to the float32 that encodes back to it', () => {
    for (let h = 0; h < 65536; h++) {
      const v = float16BitsToFloat32(h);
      const isNaNBits = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaNBits) expect(Number.isNaN(v)).toBe(true);
      else expect(float32ToFloat16Bits(v), `bits 0x${h.toString(16)}`).toBe(h);
    }
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(float16BitsToFloat32(0xc000)).toBe(-2);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
  });

  it('int8 quantisation stays within half a step', () => {
    const w = encodeTensor(t, 'int8');
    const d = decodeTensor(w).data;
    const step = 65504 / 127;
    t.data.forEach((v, i) => expect(Math.abs(d[i] - v)).toBeLessThanOrEqual(step / 2 + 1e-3));
  });

  it('refuses a byte count that does not match the shape', () => {
    const w = encodeTensor(t);
    expect(() => decodeTensor({ ...w, shape: [3, 3] })).toThrow(TensorDecodeError);
    expect(() => decodeTensor({ ...w, shape: [3, 3] })).toThrow(/36/);
  });

  it('counts wire bytes', () => {
    expect(wireByteLength(encodeTensors([t, t], 'float16'))).toBe(24);
  });
});
