import { CLIP_ADAPTER_HEAD } from '../feature-heads';
import { featureHeadModel } from './feature-head-model';

/** CLIP-Adapter (Gao et al. 2021): f' = α·MLP(f) + (1−α)·f, bottleneck d/4, α = 0.2 (d²/2 parameters). */
export const clipAdapterModel = featureHeadModel(CLIP_ADAPTER_HEAD, {
  id: 'clip-adapter',
  summary: 'CLIP-Adapter: a residual bottleneck MLP on CLIP image features (d²/2 parameters)',
  displayName: 'the CLIP-Adapter head',
});
