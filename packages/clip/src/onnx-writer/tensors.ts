import type { onnx as P } from 'onnx-proto';
import { onnx } from './proto';

/** Element types for graph inputs/outputs; initializers take the typed-array ones (all but float16). */
export type OnnxDType = 'float32' | 'int64' | 'int32' | 'uint8' | 'float16';
export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

const DataType = () => onnx.TensorProto.DataType;

/** The TensorProto.DataType code, e.g. for a Cast node's `to` attribute. */
export function onnxElemType(dtype: OnnxDType): number {
  switch (dtype) {
    case 'float32':
      return DataType().FLOAT;
    case 'int64':
      return DataType().INT64;
    case 'int32':
      return DataType().INT32;
    case 'uint8':
      return DataType().UINT8;
    case 'float16':
      return DataType().FLOAT16;
  }
}

export function dtypeOf(data: TensorData): OnnxDType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  throw new TypeError('tensor data must be a Float32Array, BigInt64Array, Int32Array or Uint8Array');
}

// ONNX raw_data is little-endian; copying the typed array's bytes is only right on a
// little-endian host (every platform Node and the browsers run on in practice).
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function tensorProto(name: string, data: TensorData, dims: readonly number[]): P.ITensorProto {
  if (!hostIsLittleEndian) throw new Error('the ONNX writer needs a little-endian host');
  const expected = dims.reduce((a, b) => a * b, 1);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(`tensor "${name}": dims must be non-negative integers, got [${dims.join(', ')}]`);
  }
  if (data.length !== expected) {
    throw new RangeError(`tensor "${name}": dims [${dims.join(', ')}] need ${expected} elements, data has ${data.length}`);
  }
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return { name, dims: [...dims], dataType: onnxElemType(dtypeOf(data)), rawData: raw };
}
