import type { RunListEntry } from '@clipfed/protocol';
import { byId, h } from './dom';
import { formatPercent } from './format';

/** The run table; a run's name links to this page with ?run=<id>, so a view can be bookmarked or shared. */
export function renderRunList(runs: readonly RunListEntry[], selectedId: string | null, onSelect: (runId: string) => void): void {
  const rows = [...runs].reverse().map((r) => {
    const link = h('a', { href: `?run=${encodeURIComponent(r.runId)}`, text: r.name });
    link.addEventListener('click', (e) => {
      e.preventDefault();
      onSelect(r.runId);
    });
    return h(
      'tr',
      { 'data-run-id': r.runId, 'aria-current': r.runId === selectedId ? 'true' : undefined },
      h('td', {}, link, h('br'), h('span', { class: 'muted', text: `${r.runId} · ${r.algorithm}` })),
      h('td', {}, h('span', { class: 'status', 'data-status': r.status, text: r.status }), ...(r.problem ? [h('br'), h('span', { class: 'muted', text: r.problem })] : [])),
      h('td', { text: `${r.round} of ${r.totalRounds}` }),
      h('td', { text: `${r.connectedClients} (needs ${r.minClients})` }),
      h('td', { text: formatPercent(r.lastAccuracy) }),
      h('td', { text: formatPercent(r.zeroShotAccuracy) }),
    );
  });
  byId('run-rows').replaceChildren(...rows);
  byId('no-runs').hidden = runs.length > 0;
}
