import type { RunConfig } from '@clipfed/protocol';

/** What the data of a run is, in the words of its dataset: a held-out style exists only for EmojiDomains. */
export function datasetDescription(c: RunConfig): string {
  if (c.dataset === 'emoji-domains') return `emoji-domains (held-out style ${c.heldOutDomain})`;
  return `fashion-mnist-lt (imbalance factor ${c.imbalanceFactor}, ${c.clientShards} shards, Dirichlet α ${c.dirichletAlpha})`;
}

/** The line under a run's heading: id, algorithm, data and the settings a reader needs to read the curves. */
export function runSummaryText(runId: string, c: RunConfig): string {
  return (
    `${runId} · ${c.algorithm} on ${datasetDescription(c)} · ${c.rounds} rounds · ` +
    `${c.localEpochs} local epoch${c.localEpochs === 1 ? '' : 's'} · ${c.aggregation} · deadline ${Math.round(c.roundDeadlineMs / 1000)} s`
  );
}
