import {
  classGradientsToWeightSet,
  classifierFromWeightSet,
  clientModelFor,
  computeClientClassGradients,
  zeroShotLogits,
} from '@clipfed/fl';
import type { TrainRequest, TrainResult } from './platform';

export class LocalRoundError extends Error {
  override name = 'LocalRoundError';
}

/**
 * One client's work for a round, the same in a tab's Web Worker and in a Node simulated client:
 * for CLIP2FL / CReFF first the per-class gradients of the balanced classifier R on the features
 * adapted by the round's global model (algorithms.md §2.4, before any training), then local
 * training of the run's client model, with distillation from zero-shot CLIP logits when the round asks for it (§2.5).
 */
export async function trainLocalRound(req: TrainRequest, onProgress?: (p: { step: number; totalSteps: number; loss: number }) => void): Promise<TrainResult> {
  const model = clientModelFor(req.clientModel);
  let classGradients: TrainResult['classGradients'];
  if (req.probe) {
    const classifier = classifierFromWeightSet(req.probe.classifier);
    const numPrompts = req.textEmbeddings.length / req.dim;
    if (classifier.dim !== req.dim || classifier.numClasses !== numPrompts) {
      throw new LocalRoundError(`the round's classifier is ${classifier.numClasses}x${classifier.dim}, this client has ${numPrompts} classes of ${req.dim}-d features`);
    }
    const adapted = model.adapt(req.weights, req.features, req.dim);
    const grads = computeClientClassGradients(classifier, adapted, req.labels, {
      batchSize: req.probe.batchSize,
      repeats: req.probe.repeats,
      seed: req.probe.seed,
    });
    classGradients = classGradientsToWeightSet(grads, classifier.numClasses, classifier.dim);
  }
  const kd = req.kd ? { teacherLogits: zeroShotLogits(req.features, req.textEmbeddings, req.dim), temperature: req.kd.temperature, alpha: req.kd.alpha } : undefined;
  const result = await model.train({
    weights: req.weights,
    features: req.features,
    labels: req.labels,
    textEmbeddings: req.textEmbeddings,
    dim: req.dim,
    epochs: req.training.localEpochs,
    batchSize: req.training.batchSize,
    lr: req.training.learningRate,
    weightDecay: req.training.weightDecay,
    seed: req.training.seed,
    objective: req.training.objective,
    kd,
    onStep: onProgress,
  });
  return classGradients ? { ...result, classGradients } : result;
}
