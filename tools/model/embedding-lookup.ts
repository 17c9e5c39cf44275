import * as tf from '@tensorflow/tfjs';

/**
 * Rows of `table` at `rows`, differentiable in `table`. tfjs' own gather gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks, so the gradient (a scatter-add of the
 * incoming rows) is done in plain JS: a few thousand rows per step, cheap.
 */
export function embeddingLookup(table: tf.Tensor2D, rows: Int32Array): tf.Tensor2D {
  const [numRows, dim] = table.shape;
  for (const r of rows) if (r < 0 || r >= numRows) throw new RangeError(`embedding row ${r} is outside 0..${numRows - 1}`);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const value = tf.gather(args[0] as tf.Tensor, tf.tensor1d(rows, 'int32')) as tf.Tensor;
    const gradFunc = (dy: tf.Tensor) => {
      const g = new Float32Array(numRows * dim);
      const d = dy.dataSync();
      for (let k = 0; k < rows.length; k++) {
        const o = rows[k] * dim;
        const s = k * dim;
        for (let j = 0; j < dim; j++) g[o + j] += d[s + j];
      }
      return tf.tensor2d(g, [numRows, dim]);
    };
    return { value, gradFunc };
  });
  return op(table) as tf.Tensor2D;
}
