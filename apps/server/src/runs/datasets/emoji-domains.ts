import { loadEmojiTask } from '../emoji-task';
import { percent, type DatasetDefinition } from './dataset';

/** EmojiDomains (stands in for PACS): one art style per client, one style held out. */
export const emojiDomainsDataset: DatasetDefinition = {
  id: 'emoji-domains',
  summary: 'EmojiDomains: the same concepts in several emoji art styles, one style per client, one held out',
  taskKey: (config) => `emoji-domains:${config.heldOutDomain}:${config.clientDomains.join(',')}`,
  buildTask: (config, env) => loadEmojiTask(config, env.onProgress),
  describeSettings: (config) => `${config.clientDomains.length ? `clients: ${config.clientDomains.join(', ')}; ` : ''}held out: ${config.heldOutDomain}`,
  describeZeroShot: (zs) => `zero-shot accuracy: ${percent(zs.accuracy)} (held-out style ${percent(zs.heldOutAccuracy)})`,
  reportsHeldOutSeparately: true,
};
