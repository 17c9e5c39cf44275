import type { RunConfig } from '@clipfed/protocol';
import type { DatasetDefinition } from './dataset';
import { emojiDomainsDataset } from './emoji-domains';
import { fashionMnistLtDataset } from './fashion-mnist-lt';

/** Every dataset a run can name in `dataset`: one line each. */
export const DATASETS: { readonly [K in RunConfig['dataset']]: DatasetDefinition } = {
  'emoji-domains': emojiDomainsDataset,
  'fashion-mnist-lt': fashionMnistLtDataset,
};

export function datasetFor(config: RunConfig): DatasetDefinition {
  return DATASETS[config.dataset];
}
