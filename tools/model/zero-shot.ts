/** Zero-shot top-1 accuracy: each image takes the class whose prompt embedding is most cosine-similar. */
export function zeroShotPredictions(imageEmbeds: Float32Array, classEmbeds: Float32Array, dim: number): Int32Array {
  const n = imageEmbeds.length / dim;
  const c = classEmbeds.length / dim;
  if (!Number.isInteger(n) || !Number.isInteger(c)) throw new RangeError(`embeddings are not multiples of dim ${dim}`);
  const cls = normalizeRows(classEmbeds, dim);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let arg = 0;
    for (let k = 0; k < c; k++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += imageEmbeds[i * dim + d] * cls[k * dim + d];
      if (s > best) {
        best = s;
        arg = k;
      }
    }
    out[i] = arg;
  }
  return out;
}

export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predictions.length !== labels.length) throw new RangeError(`${predictions.length} predictions for ${labels.length} labels`);
  if (labels.length === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) ok++;
  return ok / labels.length;
}

export function normalizeRows(x: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[r * dim + d] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let d = 0; d < dim; d++) out[r * dim + d] = x[r * dim + d] * inv;
  }
  return out;
}
