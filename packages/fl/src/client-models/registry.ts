import type { ClientModel, ClientModelContext } from './client-model';
import { clipAdapterModel } from './clip-adapter';
import { fedclipAdapterModel } from './fedclip-adapter';
import { studentResnet8Model } from './student-resnet8';

/** Every client model a run can name in `clientModel`: one line each. */
export const CLIENT_MODELS = {
  'fedclip-adapter': fedclipAdapterModel,
  'clip-adapter': clipAdapterModel,
  'student-resnet8': studentResnet8Model,
} as const satisfies Record<string, ClientModel>;

export type ClientModelId = keyof typeof CLIENT_MODELS;

export function clientModelFor(id: ClientModelId): ClientModel {
  return CLIENT_MODELS[id];
}

/**
 * The largest update any registered model sends for a d-dimensional CLIP and up to `maxClasses` classes, in float32
 * bytes. A model's size may depend on the classes (the student's classifier) and on its input channels (the student's
 * stem; 3 is the larger), never on the image size (the student pools globally).
 */
export function largestUpdateBytes(embedDim: number, maxClasses: number): number {
  const context = boundingContext(embedDim, maxClasses);
  return Math.max(...Object.values(CLIENT_MODELS).map((m) => m.spec(context).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0) * 4));
}

/** The largest feature size R may score under any registered model (the size of CLIP2FL's class gradients). */
export function largestFeatureDim(embedDim: number): number {
  return Math.max(...Object.values(CLIENT_MODELS).map((m) => m.featureDim(boundingContext(embedDim, 2))));
}

function boundingContext(embedDim: number, numClasses: number): ClientModelContext {
  return { embedDim, numClasses, pixels: { width: 32, height: 32, channels: 3, mean: [0, 0, 0], std: [1, 1, 1] } };
}
