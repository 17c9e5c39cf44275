import { SeededRandom } from '../random';

/**
 * A small domain-shifted task that zero-shot CLIP gets wrong. The K text prototypes are random unit vectors
 * in the first dim − K coordinates; class c's images are t_c + 1.3·t_{c+1} (the shift pulls them towards the
 * next class's text) + a class marker coordinate + noise, so only a learned, input-dependent map (what the
 * heads' MLPs can do) separates them. Spreading the prototypes over many coordinates keeps the task
 * learnable when some of CLIP-Adapter's ReLU output units are dead.
 */
export function shiftedDomainTask(n: number, dim: number, numClasses: number, seed: number): { features: Float32Array; labels: Int32Array; text: Float32Array } {
  const rng = new SeededRandom(seed);
  const textDims = dim - numClasses;
  const text = new Float32Array(numClasses * dim);
  for (let c = 0; c < numClasses; c++) {
    const row = text.subarray(c * dim, c * dim + textDims);
    rng.fillNormal(row);
    const norm = Math.hypot(...row);
    for (let j = 0; j < textDims; j++) row[j] /= norm;
  }
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % numClasses;
    labels[i] = c;
    const next = (c + 1) % numClasses;
    for (let j = 0; j < dim; j++) features[i * dim + j] = text[c * dim + j] + 1.3 * text[next * dim + j] + 0.1 * rng.normal();
    features[i * dim + textDims + c] += 1;
  }
  return { features, labels, text };
}
