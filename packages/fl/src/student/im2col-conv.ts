import * as tf from '@tensorflow/tfjs';
import { type MatMulMode, defaultMatMulMode, matMulTransposeA } from '../head-objective';

/**
 * 2-D convolutions (NHWC input, kernels HWIO flattened to [k·k·Cin, Cout], no bias) as im2col + matMul with
 * a hand-written gradient, so that every tfjs backend can train them:
 * - tfjs-wasm has no Conv2DBackpropFilter kernel, so tf.conv2d cannot be trained there at all;
 * - the cpu backend's conv2d gradients, and autodiff through 9 tf.slice taps + concat (slow generic Slice and
 *   SplitV kernels on cpu, SplitV and transpose-flagged matMuls on wasm), cost 3-50 s per student step.
 * Here the patches are one gather of the input's rows by a precomputed index table (an out-of-image tap
 * reads zeros), and the input gradient is the reverse table: every input pixel gathers the ≤ k²
 * patch-gradient rows it fed and sums them (col2im without a scatter kernel, which wasm lacks).
 */

interface ConvTables {
  /** Per output pixel and tap (row-major [B·Ho·Wo, k²]): the input row it reads, or the zero row B·H·W. */
  forward: Int32Array;
  /** Per input pixel and tap ([B·H·W, k²]): the patch-gradient row (output pixel·k² + tap) it fed, or the zero row. */
  backward: Int32Array;
  outHeight: number;
  outWidth: number;
}

const tableCache = new Map<string, ConvTables>();

/** Output size of a k×k convolution with padding (k−1)/2 and this stride: ⌈size / stride⌉. */
export function convOutputSize(size: number, stride: 1 | 2): number {
  return Math.ceil(size / stride);
}

function convTables(batch: number, height: number, width: number, kernel: 1 | 3, stride: 1 | 2): ConvTables {
  const key = `${batch},${height},${width},${kernel},${stride}`;
  const cached = tableCache.get(key);
  if (cached) return cached;
  const ho = convOutputSize(height, stride);
  const wo = convOutputSize(width, stride);
  const taps = kernel * kernel;
  const pad = (kernel - 1) / 2;
  const inputRows = batch * height * width;
  const patchRows = batch * ho * wo * taps;
  const forward = new Int32Array(patchRows).fill(inputRows);
  const backward = new Int32Array(inputRows * taps).fill(patchRows);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        const out = (b * ho + i) * wo + j;
        for (let dy = 0; dy < kernel; dy++) {
          for (let dx = 0; dx < kernel; dx++) {
            const y = i * stride + dy - pad;
            const x = j * stride + dx - pad;
            if (y < 0 || y >= height || x < 0 || x >= width) continue;
            const tap = dy * kernel + dx;
            const input = (b * height + y) * width + x;
            forward[out * taps + tap] = input;
            // An input pixel feeds each tap position at most once, so tap indexes its slot.
            backward[input * taps + tap] = out * taps + tap;
          }
        }
      }
    }
  }
  const tables = { forward, backward, outHeight: ho, outWidth: wo };
  if (tableCache.size > 64) tableCache.clear(); // a few shapes per model: the last partial batch, eval chunks
  tableCache.set(key, tables);
  return tables;
}

/**
 * Where the im2col gathers run. `host`: plain JavaScript loops over the tensors' data (tfjs's GatherV2 is a
 * generic per-element kernel on cpu and wasm, 10-30× slower than a row copy: ~0.3 s per conv on wasm here),
 * and the backward gather and its sum over taps fused into one pass. `kernel`: tf.gather + tf.sum, for GPU
 * backends where reading data back to JavaScript would stall the pipeline.
 */
export type GatherMode = 'host' | 'kernel';

export function defaultGatherMode(backend: string = tf.getBackend()): GatherMode {
  return backend === 'cpu' || backend === 'wasm' ? 'host' : 'kernel';
}

/** out[i, :] = rows[table[i], :], or zeros where table[i] is the sentinel `rows.length / cols`. */
function gatherRowsHost(rows: Float32Array, cols: number, table: Int32Array): Float32Array {
  const sentinel = rows.length / cols;
  const out = new Float32Array(table.length * cols);
  for (let i = 0; i < table.length; i++) {
    const r = table[i];
    if (r !== sentinel) out.set(rows.subarray(r * cols, (r + 1) * cols), i * cols);
  }
  return out;
}

/** out[r, :] = Σ_t rows[table[r·taps + t], :] over the non-sentinel entries: gather and tap sum fused. */
function gatherSumRowsHost(rows: Float32Array, cols: number, table: Int32Array, taps: number): Float32Array {
  const sentinel = rows.length / cols;
  const outRows = table.length / taps;
  const out = new Float32Array(outRows * cols);
  for (let r = 0; r < outRows; r++) {
    const o = r * cols;
    for (let t = 0; t < taps; t++) {
      const src = table[r * taps + t];
      if (src === sentinel) continue;
      const s = src * cols;
      for (let k = 0; k < cols; k++) out[o + k] += rows[s + k];
    }
  }
  return out;
}

/** tf.gather of rows [R, C] by a table whose sentinel R selects an appended zero row. */
function gatherRowsKernel(rows: tf.Tensor2D, table: Int32Array): tf.Tensor2D {
  return tf.tidy(() => tf.gather(tf.concat([rows, tf.zeros([1, rows.shape[1]])], 0), tf.tensor1d(table, 'int32')) as tf.Tensor2D);
}

/**
 * A k×k convolution with padding (k−1)/2 (k = 3: padding 1; k = 1: none), stride 1 or 2, no bias, on
 * x [B, H, W, Cin] with `kernel` [k·k·Cin, Cout]; differentiable with respect to both.
 */
export function conv2dIm2col(
  x: tf.Tensor4D,
  kernel: tf.Tensor2D,
  size: 1 | 3,
  stride: 1 | 2,
  mode: MatMulMode = defaultMatMulMode(),
  gatherMode: GatherMode = defaultGatherMode(),
): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const taps = size * size;
  const tables = convTables(b, h, w, size, stride);
  const { outHeight: ho, outWidth: wo } = tables;
  const cout = kernel.shape[1];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, k, save] = args as [tf.Tensor4D, tf.Tensor2D, tf.GradSaveFunc];
    // `host` mode runs on cpu and wasm only, whose tensors live in host memory (defaultGatherMode).
    const patches =
      gatherMode === 'host'
        ? // eslint-disable-next-line no-restricted-syntax
          tf.tensor2d(gatherRowsHost(input.dataSync() as Float32Array, c, tables.forward), [b * ho * wo, taps * c])
        : tf.tidy(() => tf.reshape(gatherRowsKernel(tf.reshape(input, [b * h * w, c]) as tf.Tensor2D, tables.forward), [b * ho * wo, taps * c]) as tf.Tensor2D);
    save([patches, k]);
    return {
      value: tf.reshape(tf.matMul(patches, k), [b, ho, wo, cout]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [p, kk] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dOut = tf.reshape(dy, [b * ho * wo, cout]) as tf.Tensor2D;
        const dKernel = matMulTransposeA(p, dOut, mode);
        // dPatches = dOut·Kᵀ (K is small: transposing it is cheap), as [B·Ho·Wo·k², Cin] rows.
        const dPatches = tf.matMul(dOut, tf.transpose(kk));
        const dInput =
          gatherMode === 'host'
            ? // eslint-disable-next-line no-restricted-syntax
              tf.tensor4d(gatherSumRowsHost(dPatches.dataSync() as Float32Array, c, tables.backward, taps), [b, h, w, c])
            : tf.reshape(tf.sum(tf.reshape(gatherRowsKernel(tf.reshape(dPatches, [b * ho * wo * taps, c]) as tf.Tensor2D, tables.backward), [b * h * w, taps, c]), 1), [b, h, w, c]);
        return [dInput, dKernel];
      },
    };
  });
  return op(x, kernel) as tf.Tensor4D;
}
