import type { ClientModel } from './client-model';
import { clipAdapterModel } from './clip-adapter';
import { fedclipAdapterModel } from './fedclip-adapter';

/** Every client model a run can name in `clientModel`: one line each. */
export const CLIENT_MODELS = {
  'fedclip-adapter': fedclipAdapterModel,
  'clip-adapter': clipAdapterModel,
} as const satisfies Record<string, ClientModel>;

export type ClientModelId = keyof typeof CLIENT_MODELS;

export function clientModelFor(id: ClientModelId): ClientModel {
  return CLIENT_MODELS[id];
}

/** The largest update any registered model sends for a d-dimensional CLIP, in float32 bytes. */
export function largestUpdateBytes(embedDim: number): number {
  return Math.max(...Object.values(CLIENT_MODELS).map((m) => m.spec(embedDim).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0) * 4));
}
