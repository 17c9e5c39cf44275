/** One named float tensor, row-major. Dense layers are stored input-major: y = x·W + b with W [in, out]. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** An ordered list of named tensors: a model's parameters, an update, a checkpoint. */
export type WeightSet = NamedTensor[];

/** The names and shapes a WeightSet must have (used to validate untrusted updates). */
export interface TensorSpec {
  name: string;
  shape: number[];
}
