import type { ClientModelName, RunState } from '@clipfed/protocol';
import { byId, h } from './dom';
import type { MetricsRow } from './metrics-row';
import { runStats } from './run-stats';

export function renderRunStats(state: RunState, rows: readonly MetricsRow[], clientModel?: ClientModelName): void {
  byId('run-stats').replaceChildren(
    ...runStats(state, rows, clientModel).map((s) =>
      h('li', { 'data-stat': s.key }, h('span', { class: 'stat-value', text: s.value }), h('span', { class: 'stat-label', text: s.label })),
    ),
  );
}
