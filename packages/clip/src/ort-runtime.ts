/*
 * The small part of onnxruntime-common this package uses. Both `onnxruntime-node` and
 * `onnxruntime-web` (either bundle) satisfy it, so the model code never imports a runtime itself.
 */

export type OrtTensorType = 'float32' | 'float16' | 'int64' | 'int32';
export type OrtTensorData = Float32Array | Uint16Array | BigInt64Array | Int32Array;

export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  dispose?(): void;
}

export interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  /** Present for tensors: element type and shape (numbers are fixed dims, strings symbolic). */
  readonly type?: string;
  readonly shape?: ReadonlyArray<number | string>;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** onnxruntime >= 1.22; older builds lack it and the loader falls back to names only. */
  readonly inputMetadata?: readonly OrtValueMetadata[];
  readonly outputMetadata?: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>, fetches: readonly string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtSessionOptions {
  executionProviders?: string[];
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** 0 verbose … 3 error, 4 fatal. */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

export interface OrtRuntime {
  InferenceSession: { create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession> };
  Tensor: new (type: OrtTensorType, data: OrtTensorData, dims: readonly number[]) => OrtTensor;
}
