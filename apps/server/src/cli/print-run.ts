import type { FederatedRun } from '../runs/federated-run';
import type { RoundMetricsRow } from '@clipfed/protocol';
import { percent } from '../runs/datasets/dataset';
import { datasetFor } from '../runs/datasets/registry';

const pct = percent;

export function describeRun(run: FederatedRun): string {
  const c = run.config;
  const dataset = datasetFor(c);
  return [
    `run ${run.id}: ${c.algorithm} on ${c.dataset} (${dataset.describeSettings(c)}), ${c.rounds} rounds, ${c.minClients}+ clients, ${run.task.shards.length} shards`,
    dataset.describeZeroShot(run.zeroShot),
  ].join('\n');
}

/** One line per round: what a person watching the terminal wants to see. */
export function printRoundLines(run: FederatedRun, write: (line: string) => void = console.log): void {
  run.on(
    'metrics',
    (m: RoundMetricsRow) => {
      if (m.round === 0) return;
      const heldOut = datasetFor(run.config).reportsHeldOutSeparately ? `  held-out ${pct(m.heldOutAccuracy)} (zero-shot ${pct(run.zeroShot.heldOutAccuracy)})` : '';
      const personal =
        m.personalAccuracy !== undefined && run.zeroShot.personalAccuracy !== undefined
          ? `  own-domain ${pct(m.personalAccuracy)} (zero-shot ${pct(run.zeroShot.personalAccuracy)})`
          : '';
      const balanced = m.balancedHead ? `  balanced head ${pct(m.balancedHead.accuracy)}` : '';
      write(
        `round ${m.round}/${run.config.rounds}  accuracy ${pct(m.accuracy)} (zero-shot ${pct(run.zeroShot.accuracy)})${personal}${heldOut}${balanced}  clients ${m.participants.length}${m.roundMs ? `  ${(m.roundMs / 1000).toFixed(1)} s` : ''}`,
      );
    },
  );
}
