import type * as tf from '@tensorflow/tfjs';
import { type AdapterTensors, adapterParameterCount, adapterSpec, adapterTensorsFromWeights, applyAdapter, initAdapterWeights } from './adapter';
import { adapterLossAndGradients } from './adapter-step';
import {
  type ClipAdapterTensors,
  applyClipAdapter,
  clipAdapterParameterCount,
  clipAdapterSpec,
  clipAdapterTensorsFromWeights,
  initClipAdapterWeights,
} from './clip-adapter';
import { clipAdapterLossAndGradients } from './clip-adapter-step';
import type { FeatureHead } from './feature-head';

const asAdapter = ([w1, b1, w2, b2]: readonly tf.Tensor[]): AdapterTensors => ({
  w1: w1 as tf.Tensor2D,
  b1: b1 as tf.Tensor1D,
  w2: w2 as tf.Tensor2D,
  b2: b2 as tf.Tensor1D,
});

/** FedCLIP's attention adapter (AttAI): 525,312 parameters for d = 512. */
export const FEDCLIP_ATTENTION_HEAD: FeatureHead = {
  id: 'fedclip-attention',
  spec: adapterSpec,
  parameterCount: adapterParameterCount,
  init: initAdapterWeights,
  upload(weights, dim) {
    const t = adapterTensorsFromWeights(weights, dim);
    return [t.w1, t.b1, t.w2, t.b2];
  },
  apply: (params, x) => applyAdapter(asAdapter(params), x),
  lossAndGradients(params, batch, logitScale, mode) {
    const { loss, grads } = adapterLossAndGradients(asAdapter(params), batch, logitScale, mode);
    return { loss, grads: [grads.w1, grads.b1, grads.w2, grads.b2] };
  },
};

const asClipAdapter = ([down, up]: readonly tf.Tensor[]): ClipAdapterTensors => ({ down: down as tf.Tensor2D, up: up as tf.Tensor2D });

/** CLIP-Adapter (residual bottleneck MLP, α = 0.2): 131,072 parameters for d = 512. */
export const CLIP_ADAPTER_HEAD: FeatureHead = {
  id: 'clip-adapter',
  spec: clipAdapterSpec,
  parameterCount: clipAdapterParameterCount,
  init: initClipAdapterWeights,
  upload(weights, dim) {
    const t = clipAdapterTensorsFromWeights(weights, dim);
    return [t.down, t.up];
  },
  apply: (params, x) => applyClipAdapter(asClipAdapter(params), x),
  lossAndGradients(params, batch, logitScale, mode) {
    const { loss, grads } = clipAdapterLossAndGradients(asClipAdapter(params), batch, logitScale, mode);
    return { loss, grads: [grads.down, grads.up] };
  },
};

/** Every head, by id. */
export const FEATURE_HEADS: Readonly<Record<FeatureHead['id'], FeatureHead>> = {
  'fedclip-attention': FEDCLIP_ATTENTION_HEAD,
  'clip-adapter': CLIP_ADAPTER_HEAD,
};
