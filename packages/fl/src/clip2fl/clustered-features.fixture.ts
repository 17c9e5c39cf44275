import { SeededRandom } from '../random';

/**
 * Test data for the CLIP2FL pieces: L2-normalised features around C well-separated class means
 * in d dimensions (what adapted CLIP features I* look like to the classifier), plus text
 * embeddings near the class means.
 */
export function clusteredFeatures(
  countsPerClass: number[],
  dim: number,
  seed: number,
  noise = 0.5,
): { features: Float32Array; labels: Int32Array; means: Float32Array } {
  const rng = new SeededRandom(seed);
  const C = countsPerClass.length;
  const means = rng.fillNormal(new Float32Array(C * dim));
  const n = countsPerClass.reduce((a, b) => a + b, 0);
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  let row = 0;
  countsPerClass.forEach((count, c) => {
    for (let k = 0; k < count; k++, row++) {
      labels[row] = c;
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        const v = means[c * dim + j] + noise * rng.normal();
        features[row * dim + j] = v;
        norm += v * v;
      }
      norm = Math.sqrt(norm);
      for (let j = 0; j < dim; j++) features[row * dim + j] /= norm;
    }
  });
  return { features, labels, means };
}

/** Rows `indices` of a row-major matrix, and their labels. */
export function selectRows(features: Float32Array, labels: Int32Array, dim: number, keep: (label: number, i: number) => boolean) {
  const idx = Array.from(labels.keys()).filter((i) => keep(labels[i], i));
  const f = new Float32Array(idx.length * dim);
  idx.forEach((src, dst) => f.set(features.subarray(src * dim, (src + 1) * dim), dst * dim));
  return { features: f, labels: Int32Array.from(idx, (i) => labels[i]) };
}
