import { clipAdapterSpec, initClipAdapterWeights } from '../clip-adapter';
import { adaptFeatureArrayWithClipAdapter } from '../head-inference';
import { trainClipAdapter } from '../train-adapter';
import type { ClientModel } from './client-model';

/** CLIP-Adapter (Gao et al. 2021): f' = α·MLP(f) + (1−α)·f, bottleneck d/4, α = 0.2 (d²/2 parameters). */
export const clipAdapterModel: ClientModel = {
  id: 'clip-adapter',
  summary: 'CLIP-Adapter: a residual bottleneck MLP on CLIP image features (d²/2 parameters)',
  inputs: ['clip-features'],
  spec: clipAdapterSpec,
  init: initClipAdapterWeights,
  adapt: adaptFeatureArrayWithClipAdapter,
  train: trainClipAdapter,
};
