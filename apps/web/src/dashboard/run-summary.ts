import { methodName, type RunConfig } from '@clipfed/protocol';

/** What the data of a run is, in the words of its dataset: a held-out style exists only for EmojiDomains. */
export function datasetDescription(c: RunConfig): string {
  if (c.dataset === 'emoji-domains') return `emoji-domains (held-out style ${c.emojiDomains.heldOutDomain})`;
  const s = c.fashionMnistLt;
  return `fashion-mnist-lt (imbalance factor ${s.imbalanceFactor}, ${s.clientShards} shards, Dirichlet α ${s.dirichletAlpha})`;
}

/**
 * The line under a run's heading: id, algorithm (and the method it amounts to on a client model other than FedCLIP's
 * adapter, e.g. "fedclip · FedAvg (student-resnet8)"), data and the settings a reader needs to read the curves.
 */
export function runSummaryText(runId: string, c: RunConfig): string {
  const method = c.clientModel === 'fedclip-adapter' ? '' : ` · ${methodName(c)}`;
  return (
    `${runId} · ${c.algorithm}${method} on ${datasetDescription(c)} · ${c.rounds} rounds · ` +
    `${c.localEpochs} local epoch${c.localEpochs === 1 ? '' : 's'} · ${c.aggregation} · deadline ${Math.round(c.roundDeadlineMs / 1000)} s`
  );
}
