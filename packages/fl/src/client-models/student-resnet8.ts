import { logitsArgmax, studentOutputs } from '../student/student-inference';
import { STUDENT_FEATURE_DIM, type StudentConfig, initStudentWeights, studentSpec } from '../student/student-spec';
import { trainStudent } from '../student/train-student';
import type { ClientModel, ClientModelContext } from './client-model';
import { requireInput } from './client-model';

/**
 * The student a run trains: ResNet-8 at width 1 (16/32/64 channels) on the run's pixel format, a 512-d feature layer
 * (CLIP ViT-B/32's embedding size, which PCL needs) and one output per class.
 */
export function studentConfigFor(ctx: ClientModelContext): StudentConfig {
  return { inputHeight: ctx.pixels.height, inputWidth: ctx.pixels.width, inputChannels: ctx.pixels.channels, numClasses: ctx.numClasses, featureDim: STUDENT_FEATURE_DIM };
}

/**
 * CLIP2FL's student network (algorithms.md §2.3) trained from pixels: plain SGD on cross-entropy, plus α·KD(T) from
 * zero-shot CLIP logits when the round asks (the teacher logits come from the CLIP features the client encodes once).
 * Its own classifier is the FedAvg head; R scores its 512-d features. BN running statistics travel with the weights,
 * so FedAvg averages them.
 */
export const studentResnet8Model: ClientModel = {
  id: 'student-resnet8',
  summary: "CLIP2FL's ResNet-8 student on the images' pixels, 512-d features, its own classifier (about 0.12 M parameters)",
  displayName: 'the ResNet-8 student',
  inputs: ['pixels', 'clip-features'],
  spec: (ctx) => studentSpec(studentConfigFor(ctx)),
  init: (ctx, seed) => initStudentWeights(studentConfigFor(ctx), seed),
  featureDim: () => STUDENT_FEATURE_DIM,
  featureScale: 'raw',
  async outputs(weights, data, ctx) {
    const { features, logits } = await studentOutputs(weights, studentConfigFor(ctx), requireInput(data, 'pixels', 'the ResNet-8 student'));
    return { features, predictions: logitsArgmax(logits, ctx.numClasses) };
  },
  train: (o) =>
    trainStudent({
      weights: o.weights,
      config: studentConfigFor(o.context),
      pixels: requireInput(o.data, 'pixels', 'the ResNet-8 student'),
      labels: o.labels,
      epochs: o.epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      weightDecay: o.weightDecay,
      seed: o.seed,
      kd: o.kd,
      onStep: o.onStep,
      signal: o.signal,
    }),
};
