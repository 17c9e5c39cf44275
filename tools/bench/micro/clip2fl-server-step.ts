/**
 * Times CLIP2FL's server step at the reference sizes (C = 10 classes, M = 100 features per class,
 * d = 512, 3 clients per class): federated-feature update steps (gradient matching on every class
 * + PCL) on tfjs cpu and wasm, and classifier re-training epochs (1,000 features, batch 32 → 32
 * SGD steps). A full round is 100 bank steps + 300 re-training epochs. The feature-bank update and the
 * re-training default to the WebAssembly SIMD kernel; `npm run bench -- --only clip2fl` (cases/clip2fl-step.ts)
 * compares it with the tfjs and JavaScript fallbacks.
 * Run: npx tsx tools/bench/micro/clip2fl-server-step.ts
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { type ClassGradient, FederatedFeatureBank, SeededRandom, initLinearClassifier, retrainClassifier, updateFeatureBank } from '@clipfed/fl';
import { summarize } from '../lib/stats';
import { stepTimer } from '../shared/step-timer';

const C = 10;
const M = 100;
const D = 512;

function stats(samples: number[]): string {
  const s = summarize(samples);
  return `median ${s.median.toFixed(1)} ms (min ${s.min.toFixed(1)})`;
}

const rng = new SeededRandom(1);
const grads = new Map<number, ClassGradient[]>();
for (let c = 0; c < C; c++) {
  grads.set(c, [0, 1, 2].map(() => ({ gW: rng.fillNormal(new Float32Array(C * D)).map((v) => v * 0.01), gb: rng.fillNormal(new Float32Array(C)).map((v) => v * 0.1) })));
}
const text = rng.fillNormal(new Float32Array(C * D));
const classifier = initLinearClassifier(C, D, 2);

for (const backend of ['wasm', 'cpu']) {
  await tf.setBackend(backend);
  await tf.ready();
  const bank = FederatedFeatureBank.create({ numClasses: C, perClass: M, dim: D, seed: 1 });
  const t = stepTimer(3);
  await updateFeatureBank(bank, { classifier, clientClassGradients: grads, textEmbeddings: text, steps: backend === 'cpu' ? 8 : 23, lambda: 0.001, onStep: t.tick, implementation: 'tfjs' });
  console.log(`${backend.padEnd(5)} feature-bank step, tfjs (C=${C}, M=${M}, d=${D}): ${stats(t.samples)}`);
}
{
  const bank = FederatedFeatureBank.create({ numClasses: C, perClass: M, dim: D, seed: 1 });
  const t = stepTimer(3);
  await updateFeatureBank(bank, { classifier, clientClassGradients: grads, textEmbeddings: text, steps: 23, lambda: 0.001, onStep: t.tick, implementation: 'wasm-simd' });
  console.log(`SIMD  feature-bank step, WebAssembly kernel: ${stats(t.samples)}`);
}

const bank = FederatedFeatureBank.create({ numClasses: C, perClass: M, dim: D, seed: 1 });
for (const implementation of ['javascript', 'wasm-simd'] as const) {
  const e = stepTimer(2);
  await retrainClassifier({ features: bank.features, labels: bank.labels(), numClasses: C, dim: D, epochs: 22, seed: 3, onEpoch: e.tick, implementation });
  console.log(`${implementation.padEnd(10)} re-training epoch (${C * M} features, 32 SGD steps of batch 32): ${stats(e.samples)}`);
}
