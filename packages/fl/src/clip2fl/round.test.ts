import { expect, it } from 'vitest';
import { accuracy, groupedAccuracy } from '../accuracy';
import { predictWithBalancedHead } from '../predict';
import { forEachBackend } from '../testing';
import { type ClassGradient, classGradientsFromWeightSet, classGradientsToWeightSet, computeClientClassGradients } from './class-gradients';
import { FederatedFeatureBank, updateFeatureBank } from './feature-bank';
import { initLinearClassifier, predictWithClassifier } from './linear-classifier';
import { retrainClassifier } from './retrain-classifier';
import { clusteredFeatures, selectRows } from './clustered-features.fixture';

const C = 4;
const D = 16;

/**
 * The CLIP2FL server loop end to end on a long-tailed toy task: clients report per-class gradients
 * of R (through the wire format), the server matches federated features to them and re-trains R
 * on the balanced bank. R must then classify held-out real features, tail classes included, though
 * the server never saw a real feature.
 */
forEachBackend(['cpu', 'wasm'], () => {
  it('learns a balanced classifier from class gradients alone (2 rounds, long-tailed clients)', async () => {
    const train = clusteredFeatures([120, 40, 12, 4], D, 1, 0.7);
    const test = clusteredFeatures([50, 50, 50, 50], D, 1, 0.7);
    const clients = [0, 1, 2].map((k) => selectRows(train.features, train.labels, D, (_, i) => i % 3 === k));
    const bank = FederatedFeatureBank.create({ numClasses: C, perClass: 10, dim: D, seed: 2 });
    let R = initLinearClassifier(C, D, 3);
    for (let round = 0; round < 2; round++) {
      const byClass = new Map<number, ClassGradient[]>();
      for (const [k, client] of clients.entries()) {
        const local = await computeClientClassGradients(R, client.features, client.labels, { seed: 10 * round + k });
        const received = classGradientsFromWeightSet(classGradientsToWeightSet(local, C, D), C, D);
        for (const [c, g] of received) byClass.set(c, [...(byClass.get(c) ?? []), g]);
      }
      await updateFeatureBank(bank, { classifier: R, clientClassGradients: byClass, textEmbeddings: train.means, steps: 40, lambda: 0.001 });
      R = await retrainClassifier({ features: bank.features, labels: bank.labels(), numClasses: C, dim: D, epochs: 30, lr: 0.5, seed: round });
    }
    const pred = await predictWithClassifier(R, test.features);
    expect(accuracy(pred, test.labels)).toBeGreaterThan(0.85);
    const groups = groupedAccuracy(pred, test.labels, [120, 40, 12, 4], { manyAbove: 100, fewBelow: 20 });
    expect(groups.few).toBeGreaterThan(0.6);
    // Zero-shot balanced head without an adapter = R on the normalised features: same predictions.
    expect(await predictWithBalancedHead(null, R, test.features)).toEqual(pred);
  });
});
