import { mainHeadName, type ClientModelName, type RunState } from '@clipfed/protocol';
import { formatPercent } from './format';
import { nestedNumber, numberField, type MetricsRow } from './metrics-row';

export interface RunStat {
  key: 'volunteers' | 'round' | 'accuracy' | 'balanced';
  value: string;
  label: string;
}

/**
 * The few numbers a room reads from across it: volunteers connected, the round, and the latest accuracy of each
 * head against zero-shot CLIP.
 */
export function runStats(state: RunState, rows: readonly MetricsRow[], clientModel: ClientModelName = 'fedclip-adapter'): RunStat[] {
  const last = rows.at(-1);
  const zeroShot = last ? numberField(last, 'zeroShotAccuracy') : null;
  const stats: RunStat[] = [
    { key: 'volunteers', value: String(state.connectedClients), label: state.connectedClients === 1 ? 'volunteer connected' : 'volunteers connected' },
    { key: 'round', value: `${state.round} / ${state.totalRounds}`, label: `rounds done (${state.status})` },
    {
      key: 'accuracy',
      value: formatPercent(last ? numberField(last, 'accuracy') : null),
      label: `${mainHeadName(clientModel) === 'text prototypes' ? 'accuracy' : mainHeadName(clientModel)} now (zero-shot CLIP ${formatPercent(zeroShot)})`,
    },
  ];
  const balanced = last ? nestedNumber(last, 'balancedHead.accuracy') : null;
  if (balanced !== null) stats.push({ key: 'balanced', value: formatPercent(balanced), label: 'balanced head (CLIP2FL / CReFF)' });
  return stats;
}
