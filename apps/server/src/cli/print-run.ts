import type { FederatedRun } from '../runs/federated-run';
import { mainHeadName, methodName, type HeadAccuracy, type RoundMetricsRow } from '@clipfed/protocol';
import { percent } from '../runs/datasets/dataset';
import { datasetFor } from '../runs/datasets/registry';

const pct = percent;

export function describeRun(run: FederatedRun): string {
  const c = run.config;
  const dataset = datasetFor(c);
  // "clip2fl · CLIP2FL (student-resnet8) on …": the algorithm, and the method it amounts to on another client model.
  const method = c.clientModel === 'fedclip-adapter' ? '' : ` · ${methodName(c)}`;
  return [
    `run ${run.id}: ${c.algorithm}${method} on ${c.dataset} (${dataset.describeSettings(c)}), ${c.rounds} rounds, ${c.minClients}+ clients, ${run.task.shards.length} shards`,
    dataset.describeZeroShot(run.zeroShot),
  ].join('\n');
}

/** many / medium / few-shot accuracy of a head, e.g. "many 80.1% medium 40.0% few 5.0%". */
function shotsText(head: HeadAccuracy): string {
  const s = head.shots;
  if (!s) return '';
  const one = (name: string, v: number | null) => (v === null ? '' : ` ${name} ${pct(v)}`);
  return ` [${(one('many', s.many) + one('medium', s.medium) + one('few', s.few)).trim()}]`;
}

/**
 * One line per round: what a person watching the terminal wants to see. Every head the run measures is named
 * (the model's own: text prototypes, or the student's FedAvg head; CLIP2FL / CReFF's balanced head), with its
 * many / medium / few-shot accuracy on long-tailed data.
 */
export function printRoundLines(run: FederatedRun, write: (line: string) => void = console.log): void {
  const head = mainHeadName(run.config.clientModel);
  const own = head === 'text prototypes' ? 'accuracy' : head;
  run.on(
    'metrics',
    (m: RoundMetricsRow) => {
      if (m.round === 0) return;
      const heldOut = datasetFor(run.config).reportsHeldOutSeparately ? `  held-out ${pct(m.heldOutAccuracy)} (zero-shot ${pct(run.zeroShot.heldOutAccuracy)})` : '';
      const personal =
        m.personalAccuracy !== undefined && run.zeroShot.personalAccuracy !== undefined
          ? `  own-domain ${pct(m.personalAccuracy)} (zero-shot ${pct(run.zeroShot.personalAccuracy)})`
          : '';
      const ownShots = m.shots ? shotsText({ accuracy: m.accuracy, heldOutAccuracy: m.heldOutAccuracy, perSet: m.perSet, shots: m.shots }) : '';
      const balanced = m.balancedHead ? `  balanced head ${pct(m.balancedHead.accuracy)}${shotsText(m.balancedHead)}` : '';
      write(
        `round ${m.round}/${run.config.rounds}  ${own} ${pct(m.accuracy)}${ownShots} (zero-shot ${pct(run.zeroShot.accuracy)})${personal}${heldOut}${balanced}  clients ${m.participants.length}${m.roundMs ? `  ${(m.roundMs / 1000).toFixed(1)} s` : ''}`,
      );
    },
  );
}
