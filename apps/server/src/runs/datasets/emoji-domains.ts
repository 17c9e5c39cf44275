import { loadEmojiTask } from '../emoji-task';
import { percent, type DatasetDefinition } from './dataset';

/** EmojiDomains (stands in for PACS): one art style per client, one style held out. */
export const emojiDomainsDataset: DatasetDefinition = {
  id: 'emoji-domains',
  summary: 'EmojiDomains: the same concepts in several emoji art styles, one style per client, one held out',
  taskKey: ({ emojiDomains: s }) => `emoji-domains:${s.heldOutDomain}:${s.clientDomains.join(',')}`,
  buildTask: (config, env) => loadEmojiTask(config, env.onProgress),
  describeSettings: ({ emojiDomains: s }) => `${s.clientDomains.length ? `clients: ${s.clientDomains.join(', ')}; ` : ''}held out: ${s.heldOutDomain}`,
  describeZeroShot: (zs) => `zero-shot accuracy: ${percent(zs.accuracy)} (held-out style ${percent(zs.heldOutAccuracy)})`,
  reportsHeldOutSeparately: true,
};
