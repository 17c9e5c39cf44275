import {
  classGradientsToWeightSet,
  classifierFromWeightSet,
  clientModelFor,
  computeClientClassGradients,
  zeroShotLogits,
  type ClientModelData,
} from '@clipfed/fl';
import type { TrainRequest, TrainResult } from './platform';

export class LocalRoundError extends Error {
  override name = 'LocalRoundError';
}

/**
 * One client's work for a round, the same in a tab's Web Worker and in a Node simulated client:
 * for CLIP2FL / CReFF first the per-class gradients of the balanced classifier R on the features the round's
 * global model gives (adapted CLIP features, or the student's feature layer; algorithms.md §2.4, before any
 * training), then local training of the run's client model, with distillation from zero-shot CLIP logits when
 * the round asks for it (§2.5). The teacher logits come from the CLIP features the client encoded once, whatever
 * the model: 100·cos(image, prompt) over the class prompts.
 */
export async function trainLocalRound(req: TrainRequest, onProgress?: (p: { step: number; totalSteps: number; loss: number }) => void): Promise<TrainResult> {
  const model = clientModelFor(req.clientModel);
  const { context } = req;
  const data: ClientModelData = { clipFeatures: req.features, pixels: req.pixels, textEmbeddings: req.textEmbeddings };
  let classGradients: TrainResult['classGradients'];
  if (req.probe) {
    const classifier = classifierFromWeightSet(req.probe.classifier);
    const featureDim = model.featureDim(context);
    if (classifier.dim !== featureDim || classifier.numClasses !== context.numClasses) {
      throw new LocalRoundError(`the round's classifier is ${classifier.numClasses}x${classifier.dim}, this client has ${context.numClasses} classes of ${featureDim}-d features`);
    }
    const { features } = await model.outputs(req.weights, data, context);
    const grads = await computeClientClassGradients(classifier, features, req.labels, {
      batchSize: req.probe.batchSize,
      repeats: req.probe.repeats,
      seed: req.probe.seed,
    });
    classGradients = classGradientsToWeightSet(grads, classifier.numClasses, classifier.dim);
  }
  const kd = req.kd ? { teacherLogits: await zeroShotLogits(req.features, req.textEmbeddings, context.embedDim), temperature: req.kd.temperature, alpha: req.kd.alpha } : undefined;
  const result = await model.train({
    weights: req.weights,
    context,
    data,
    labels: req.labels,
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
