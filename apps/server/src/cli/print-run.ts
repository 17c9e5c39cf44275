import type { FederatedRun } from '../runs/federated-run';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function describeRun(run: FederatedRun): string {
  const c = run.config;
  return [
    `run ${run.id}: ${c.algorithm} on ${c.dataset} (held out: ${c.heldOutDomain}), ${c.rounds} rounds, ${c.minClients}+ clients, ${run.task.shards.length} shards`,
    `zero-shot accuracy: ${pct(run.zeroShot.accuracy)} (held-out style ${pct(run.zeroShot.heldOutAccuracy)})`,
  ].join('\n');
}

/** One line per round: what a person watching the terminal wants to see. */
export function printRoundLines(run: FederatedRun, write: (line: string) => void = console.log): void {
  run.on('metrics', (m: { round: number; accuracy: number; heldOutAccuracy: number; participants: string[]; roundMs?: number }) => {
    if (m.round === 0) return;
    write(
      `round ${m.round}/${run.config.rounds}  accuracy ${pct(m.accuracy)} (zero-shot ${pct(run.zeroShot.accuracy)})  held-out ${pct(m.heldOutAccuracy)}  clients ${m.participants.length}${m.roundMs ? `  ${(m.roundMs / 1000).toFixed(1)} s` : ''}`,
    );
  });
}
