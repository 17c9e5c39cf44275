import { adaptFeatureArray, adapterSpec, initAdapterWeights } from '../adapter';
import { trainAdapter } from '../train-adapter';
import type { ClientModel } from './client-model';

/** FedCLIP's attention adapter (Lu et al. 2023): I* = softmax(W2·tanh(W1·I + b1) + b2) ⊙ I. */
export const fedclipAdapterModel: ClientModel = {
  id: 'fedclip-adapter',
  summary: "FedCLIP's attention adapter on CLIP image features (2·(d²+d) parameters)",
  inputs: ['clip-features'],
  spec: adapterSpec,
  init: initAdapterWeights,
  adapt: adaptFeatureArray,
  train: trainAdapter,
};
