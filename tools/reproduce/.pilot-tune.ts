import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadClipModelFromDir } from '@clipfed/clip/node';
import { ImageFeatureStore } from '@clipfed/client/node';
import { loadFashionMnist } from '@clipfed/data';
import { runConfigSchema } from '@clipfed/protocol';
import { initNodeTfBackend, initAdapterWeights, adaptFeatureArray, computeClientClassGradients, FederatedFeatureBank, initLinearClassifier, updateFeatureBank, retrainClassifier, predictWithClassifier, groupedAccuracy, predictWithTextPrototypes, SeededRandom, type ClassGradient } from '@clipfed/fl';
import { buildFashionMnistLtTask } from '../../apps/server/src/runs/fashion-mnist-task';
await initNodeTfBackend(['wasm'], () => undefined);
const modelDir = 'models/builtin';
const key = createHash('sha256').update(readFileSync(join(modelDir, 'manifest.json'))).digest('hex').slice(0, 16);
const model = await loadClipModelFromDir(modelDir);
const store = await ImageFeatureStore.open(join('.cache/image-features', key), 512);
const data = await loadFashionMnist();
const IF = Number(process.env.IF ?? 100);
const task = buildFashionMnistLtTask(runConfigSchema.parse({ dataset: 'fashion-mnist-lt', imbalanceFactor: IF, headClassSize: 1000, testPerClass: 300, dataSeed: 7 }), data);
const d = 512;
const shards = [];
for (const s of task.shards) shards.push({ f: await store.encode(model, s.images, s.width, s.height), y: s.labels });
const t = task.evaluationSets[0].data;
const testF = await store.encode(model, t.images, t.width, t.height);
const text = await model.encodeTexts(task.prompts);
const adapter = initAdapterWeights(d, 0);
const th = task.shotThresholds!;
const zs = groupedAccuracy(predictWithTextPrototypes(null, testF, text, d), t.labels, task.trainClassCounts!, th);
const ad = groupedAccuracy(predictWithTextPrototypes(adapter, testF, text, d), t.labels, task.trainClassCounts!, th);
console.log('zero-shot', zs.overall.toFixed(3), zs.many, zs.medium, zs.few, 'init adapter', ad.overall.toFixed(3));
const adapted = shards.map((s) => adaptFeatureArray(adapter, s.f, d));
const testAdapted = adaptFeatureArray(adapter, testF, d);
for (const [featureLr, retrainLr, initStd, lambda] of JSON.parse(process.env.GRID ?? '[[0.1,0.1,0.0442,0.001],[1,0.1,0.0442,0.001],[0.1,1,0.0442,0.001],[1,1,0.0442,0.001],[0.1,0.1,1,0.001],[1,1,0.0442,0]]')) {
  const t0 = Date.now();
  const bank = FederatedFeatureBank.create({ numClasses: 10, perClass: 100, dim: d, seed: 1, initStd });
  let R = initLinearClassifier(10, d, 2);
  const rng = new SeededRandom(5);
  const accs = [];
  for (let round = 1; round <= 6; round++) {
    const online = Array.from(rng.permutation(20).subarray(0, 8));
    const byClass = new Map<number, ClassGradient[]>();
    for (const k of online) for (const [c, g] of computeClientClassGradients(R, adapted[k], shards[k].y, { seed: round * 100 + k })) byClass.set(c, [...(byClass.get(c) ?? []), g]);
    await updateFeatureBank(bank, { classifier: R, clientClassGradients: byClass, textEmbeddings: text, steps: 20, lr: featureLr, lambda });
    R = await retrainClassifier({ features: bank.features, labels: bank.labels(), numClasses: 10, dim: d, epochs: 20, lr: retrainLr, seed: round });
    const g = groupedAccuracy(predictWithClassifier(R, testAdapted), t.labels, task.trainClassCounts!, th);
    accs.push(`${(100 * g.overall).toFixed(1)}[${[g.many, g.medium, g.few].map((v) => (v === null ? '-' : (100 * v).toFixed(0))).join('/')}]`);
  }
  console.log(`fLr ${featureLr} rLr ${retrainLr} std ${initStd} λ ${lambda}: ${accs.join(' ')}  ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
