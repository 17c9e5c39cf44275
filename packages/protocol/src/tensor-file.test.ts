import { describe, expect, it } from 'vitest';
import { decodeTensorFile, encodeTensorFile, TensorFileError } from './tensor-file';

const tensors = [
  { name: 'w1', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
  { name: 'b1', shape: [2], data: Float32Array.from([-1, 0.5]) },
];

describe('tensor file', () => {
  it('round-trips tensors and metadata', () => {
    const { meta, tensors: back } = decodeTensorFile(encodeTensorFile(tensors, { round: 3 }));
    expect(meta).toEqual({ round: 3 });
    expect(back.map((t) => [t.name, t.shape, Array.from(t.data)])).toEqual([
      ['w1', [2, 2], [1, 2, 3, 4]],
      ['b1', [2], [-1, 0.5]],
    ]);
  });
  it('names the tensor cut off by truncation', () => {
    const bytes = encodeTensorFile(tensors);
    expect(() => decodeTensorFile(bytes.subarray(0, bytes.length - 2))).toThrow(TensorFileError);
    expect(() => decodeTensorFile(bytes.subarray(0, bytes.length - 2))).toThrow(/b1/);
  });
});
