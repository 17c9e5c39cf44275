import type { FeatureHead } from '../feature-head';
import { adaptFeatureArrayWithHead } from '../head-inference';
import { trainHead } from '../train-head';
import type { ClientModel } from './client-model';
import { requireInput } from './client-model';

/**
 * A head on CLIP image features as a client model: its features are the adapted, L2-normalised CLIP features
 * (d = the CLIP embedding size) and its own prediction is the nearest class text prototype.
 */
export function featureHeadModel(head: FeatureHead, about: { id: string; summary: string; displayName: string }): ClientModel {
  return {
    ...about,
    inputs: ['clip-features'],
    spec: (ctx) => head.spec(ctx.embedDim),
    init: (ctx, seed) => head.init(ctx.embedDim, seed),
    featureDim: (ctx) => ctx.embedDim,
    featureScale: 'unit-norm',
    async outputs(weights, data, ctx) {
      const features = await adaptFeatureArrayWithHead(head, weights, requireInput(data, 'clipFeatures', about.displayName), ctx.embedDim);
      return { features, predictions: nearestPrototype(features, data.textEmbeddings, ctx.embedDim) };
    },
    train: (o) =>
      trainHead(head, {
        weights: o.weights,
        features: requireInput(o.data, 'clipFeatures', about.displayName),
        labels: o.labels,
        textEmbeddings: o.data.textEmbeddings,
        dim: o.context.embedDim,
        epochs: o.epochs,
        batchSize: o.batchSize,
        lr: o.lr,
        weightDecay: o.weightDecay,
        seed: o.seed,
        objective: o.objective,
        kd: o.kd,
        onStep: o.onStep,
        signal: o.signal,
      }),
  };
}

/**
 * argmax_c of f·T̂_c for already normalised features f [n, d] and text embeddings [C, d] (normalised here; the
 * logit scale does not change the argmax). Plain JavaScript: C·d per row.
 */
export function nearestPrototype(features: Float32Array, textEmbeddings: Float32Array, d: number): Int32Array {
  const k = textEmbeddings.length / d;
  const text = new Float32Array(textEmbeddings.length);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += textEmbeddings[c * d + j] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < d; j++) text[c * d + j] = textEmbeddings[c * d + j] * inv;
  }
  const n = features.length / d;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += features[i * d + j] * text[c * d + j];
      if (s > best) {
        best = s;
        out[i] = c;
      }
    }
  }
  return out;
}
