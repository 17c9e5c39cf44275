import type { FederatedRun } from '../runs/federated-run';
import type { RoundMetricsRow } from '@clipfed/protocol';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function describeRun(run: FederatedRun): string {
  const c = run.config;
  const data = c.dataset === 'emoji-domains' ? `held out: ${c.heldOutDomain}` : `IF ${c.imbalanceFactor}, Dirichlet alpha ${c.dirichletAlpha}`;
  const zeroShot =
    c.dataset === 'emoji-domains'
      ? `zero-shot accuracy: ${pct(run.zeroShot.accuracy)} (held-out style ${pct(run.zeroShot.heldOutAccuracy)})`
      : `zero-shot accuracy: ${pct(run.zeroShot.accuracy)} on the balanced test set`;
  return [`run ${run.id}: ${c.algorithm} on ${c.dataset} (${data}), ${c.rounds} rounds, ${c.minClients}+ clients, ${run.task.shards.length} shards`, zeroShot].join('\n');
}

/** One line per round: what a person watching the terminal wants to see. */
export function printRoundLines(run: FederatedRun, write: (line: string) => void = console.log): void {
  run.on(
    'metrics',
    (m: RoundMetricsRow) => {
      if (m.round === 0) return;
      const heldOut = run.config.dataset === 'emoji-domains' ? `  held-out ${pct(m.heldOutAccuracy)}` : '';
      const balanced = m.balancedHead ? `  balanced head ${pct(m.balancedHead.accuracy)}` : '';
      write(
        `round ${m.round}/${run.config.rounds}  accuracy ${pct(m.accuracy)} (zero-shot ${pct(run.zeroShot.accuracy)})${heldOut}${balanced}  clients ${m.participants.length}${m.roundMs ? `  ${(m.roundMs / 1000).toFixed(1)} s` : ''}`,
      );
    },
  );
}
