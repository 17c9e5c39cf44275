import type { onnx as P } from 'onnx-proto';
import { onnx } from './proto';
import { tensorProto, type TensorData } from './tensors';

/**
 * Explicitly typed attribute values. Plain JS numbers are ambiguous (is `1` an INT or a FLOAT
 * `1.0`?), so the convention is:
 * - an integer `number` -> INT, a non-integer `number` -> FLOAT;
 * - `number[]` of integers -> INTS, with any non-integer -> FLOATS;
 * - `Float32Array` -> FLOATS (always, even of length 1);
 * - `string` -> STRING;
 * - anything else must use one of the helpers below (`attr.float(1)` for a FLOAT that happens to
 *   be a whole number, e.g. Gemm `alpha`, LayerNormalization `epsilon`).
 */
export type TypedAttribute =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly data: TensorData; readonly dims: readonly number[] };

export type AttributeValue = number | number[] | string | Float32Array | TypedAttribute;

export const attr = {
  float: (value: number): TypedAttribute => ({ kind: 'float', value }),
  floats: (value: readonly number[] | Float32Array): TypedAttribute => ({ kind: 'floats', value: Array.from(value) }),
  int: (value: number): TypedAttribute => ({ kind: 'int', value }),
  ints: (value: readonly number[]): TypedAttribute => ({ kind: 'ints', value: [...value] }),
  string: (value: string): TypedAttribute => ({ kind: 'string', value }),
  /** A TENSOR attribute, e.g. for `Constant` or `ConstantOfShape`'s `value`. */
  tensor: (data: TensorData, dims: readonly number[]): TypedAttribute => ({ kind: 'tensor', data, dims: [...dims] }),
} as const;

function isTyped(v: AttributeValue): v is TypedAttribute {
  return typeof v === 'object' && !Array.isArray(v) && !(v instanceof Float32Array) && 'kind' in v;
}

export function toTypedAttribute(name: string, value: AttributeValue): TypedAttribute {
  if (isTyped(value)) return value;
  if (typeof value === 'string') return attr.string(value);
  if (value instanceof Float32Array) return attr.floats(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`attribute "${name}": ${value} is not finite; use attr.float() explicitly`);
    return Number.isInteger(value) ? attr.int(value) : attr.float(value);
  }
  if (Array.isArray(value)) {
    if (value.some((x) => typeof x !== 'number')) throw new TypeError(`attribute "${name}": arrays must hold numbers only`);
    return value.every((x) => Number.isInteger(x)) ? attr.ints(value) : attr.floats(value);
  }
  throw new TypeError(`attribute "${name}": unsupported value ${String(value)}`);
}

export function attributeProto(name: string, value: AttributeValue): P.IAttributeProto {
  const a = toTypedAttribute(name, value);
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...a.value] };
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name, type: T.TENSOR, t: tensorProto(`${name}_value`, a.data, a.dims) };
  }
}
