import { EMOJI_STYLES, loadEmojiDomains, parseEmojiDomainName, UnknownStyleError, type EmojiDomains, type ProgressFn } from '@clipfed/data';
import type { RunConfig } from '@clipfed/protocol';
import { promptsFor, selectImages, type RunTask } from './run-task';

export class TaskConfigError extends Error {
  override name = 'TaskConfigError';
}

const SPLIT_TRAIN = 0;
const SPLIT_TEST = 2;

/**
 * The EmojiDomains domains a run loads: the run's client domains (by default the five styles but the held-out one)
 * and the held-out domain, which may be a derived one (`noto-sketch`, ...).
 */
export function emojiTaskDomains(heldOutDomain: string, clientDomains: readonly string[] = []): string[] {
  const check = (field: string, name: string) => {
    try {
      parseEmojiDomainName(name);
    } catch (e) {
      if (e instanceof UnknownStyleError) throw new TaskConfigError(`${field}: ${e.message}`);
      throw e;
    }
  };
  check('heldOutDomain', heldOutDomain);
  clientDomains.forEach((d) => check('clientDomains', d));
  if (clientDomains.includes(heldOutDomain)) throw new TaskConfigError(`clientDomains: "${heldOutDomain}" is the held-out domain; no client may train on it`);
  if (new Set(clientDomains).size !== clientDomains.length) throw new TaskConfigError('clientDomains: a domain is named twice');
  if (clientDomains.length > 0) return [...clientDomains, heldOutDomain];
  const styles = EMOJI_STYLES.map((s) => s.name);
  return styles.includes(heldOutDomain) ? styles : [...styles, heldOutDomain];
}

/**
 * EmojiDomains, leave-one-domain-out (FedCLIP §1.7): each training domain is one client shard (its train split);
 * evaluation covers every training domain's test split and the whole held-out domain. Only benchmark concepts are
 * used: the built-in model was pretrained on the other concepts.
 */
export function buildEmojiTask(config: RunConfig, data: EmojiDomains): RunTask {
  const { heldOutDomain } = config.emojiDomains;
  const styles = data.domains.map((d) => d.name);
  if (!styles.includes(heldOutDomain)) {
    throw new TaskConfigError(`heldOutDomain "${heldOutDomain}" is not an EmojiDomains domain of this task; choose one of: ${styles.join(', ')}`);
  }
  const pretrain = new Set(data.pretrainConcepts);
  const task: RunTask = {
    dataset: 'emoji-domains',
    classNames: data.classNames,
    prompts: promptsFor(data.classNames),
    shards: [],
    evaluationSets: [],
  };
  for (const domain of data.domains) {
    const set = { images: domain.set.images, labels: domain.set.labels, width: domain.set.width, height: domain.set.height };
    const benchmark = (i: number) => !pretrain.has(domain.concepts[i]);
    const indices = (keep: (i: number) => boolean) => Array.from({ length: domain.set.labels.length }, (_, i) => i).filter(keep);
    if (domain.name === heldOutDomain) {
      task.evaluationSets.push({ name: `${domain.name} (held out)`, heldOut: true, data: selectImages(set, indices(benchmark)) });
      continue;
    }
    const train = selectImages(set, indices((i) => benchmark(i) && domain.split[i] === SPLIT_TRAIN));
    task.shards.push({ label: `${domain.label} (${domain.name})`, classNames: data.classNames, ...train });
    task.evaluationSets.push({
      name: `${domain.name} test`,
      heldOut: false,
      ownerShard: task.shards.length - 1,
      data: selectImages(set, indices((i) => benchmark(i) && domain.split[i] === SPLIT_TEST)),
    });
  }
  return task;
}

export async function loadEmojiTask(config: RunConfig, onProgress?: ProgressFn): Promise<RunTask> {
  return buildEmojiTask(config, await loadEmojiDomains({ styles: emojiTaskDomains(config.emojiDomains.heldOutDomain, config.emojiDomains.clientDomains), onProgress }));
}
