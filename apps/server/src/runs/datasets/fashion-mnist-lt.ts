import { buildFashionMnistLtTask, loadFashionMnistData } from '../fashion-mnist-task';
import { percent, type DatasetDefinition } from './dataset';

/** Fashion-MNIST-LT (stands in for CIFAR-10-LT): a long-tailed training set, Dirichlet-partitioned, balanced test set. */
export const fashionMnistLtDataset: DatasetDefinition = {
  id: 'fashion-mnist-lt',
  summary: 'Fashion-MNIST-LT: long-tailed training set over Dirichlet client shards, balanced test set',
  taskKey: (c) => `fashion-mnist-lt:${c.imbalanceFactor}:${c.headClassSize}:${c.clientShards}:${c.dirichletAlpha}:${c.testPerClass}:${c.dataSeed ?? c.seed}`,
  buildTask: async (config, env) => buildFashionMnistLtTask(config, await env.once('fashion-mnist', () => loadFashionMnistData(env.onProgress))),
  describeSettings: (c) => `IF ${c.imbalanceFactor}, Dirichlet alpha ${c.dirichletAlpha}`,
  describeZeroShot: (zs) => `zero-shot accuracy: ${percent(zs.accuracy)} on the balanced test set`,
  reportsHeldOutSeparately: false,
};
