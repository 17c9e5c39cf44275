import { FEDCLIP_ATTENTION_HEAD } from '../feature-heads';
import { featureHeadModel } from './feature-head-model';

/** FedCLIP's attention adapter (Lu et al. 2023): I* = softmax(W2·tanh(W1·I + b1) + b2) ⊙ I. */
export const fedclipAdapterModel = featureHeadModel(FEDCLIP_ATTENTION_HEAD, {
  id: 'fedclip-adapter',
  summary: "FedCLIP's attention adapter on CLIP image features (2·(d²+d) parameters)",
  displayName: 'the FedCLIP adapter',
});
