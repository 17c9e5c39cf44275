import { byId, h } from './dom';
import { formatBytes, formatDuration, formatPercent } from './format';
import { nestedNumber, numberField, participantsOf, type MetricsRow } from './metrics-row';

/** The charts' numbers as a table: readable by screen readers and on screens too small for a legend. */
export function renderMetricsTable(rows: readonly MetricsRow[]): void {
  byId('metrics-rows').replaceChildren(
    ...rows.map((r) =>
      h(
        'tr',
        {},
        h('td', { text: String(r.round) }),
        h('td', { text: formatPercent(numberField(r, 'accuracy')) }),
        h('td', { text: formatPercent(numberField(r, 'heldOutAccuracy')) }),
        h('td', { text: formatPercent(nestedNumber(r, 'balancedHead.accuracy')) }),
        h('td', { text: formatPercent(numberField(r, 'zeroShotAccuracy')) }),
        h('td', { text: String(participantsOf(r).length) }),
        h('td', { text: formatBytes(numberField(r, 'bytesUp')) }),
        h('td', { text: formatBytes(numberField(r, 'bytesDown')) }),
        h('td', { text: formatDuration(numberField(r, 'roundMs')) }),
        h('td', { text: formatDuration(numberField(r, 'aggregateMs')) }),
        h('td', { text: formatDuration(numberField(r, 'evalMs')) }),
      ),
    ),
  );
}
