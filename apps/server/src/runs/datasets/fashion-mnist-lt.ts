import { buildFashionMnistLtTask, loadFashionMnistData } from '../fashion-mnist-task';
import { percent, type DatasetDefinition } from './dataset';

/** Fashion-MNIST-LT (stands in for CIFAR-10-LT): a long-tailed training set, Dirichlet-partitioned, balanced test set. */
export const fashionMnistLtDataset: DatasetDefinition = {
  id: 'fashion-mnist-lt',
  summary: 'Fashion-MNIST-LT: long-tailed training set over Dirichlet client shards, balanced test set',
  taskKey: ({ fashionMnistLt: s, seed }) => `fashion-mnist-lt:${s.imbalanceFactor}:${s.headClassSize}:${s.clientShards}:${s.dirichletAlpha}:${s.testPerClass}:${s.dataSeed ?? seed}`,
  buildTask: async (config, env) => buildFashionMnistLtTask(config, await env.once('fashion-mnist', () => loadFashionMnistData(env.onProgress))),
  describeSettings: ({ fashionMnistLt: s }) => `IF ${s.imbalanceFactor}, Dirichlet alpha ${s.dirichletAlpha}`,
  describeZeroShot: (zs) => `zero-shot accuracy: ${percent(zs.accuracy)} on the balanced test set`,
  reportsHeldOutSeparately: false,
};
