import type { Refusal } from '@clipfed/protocol';
import { byId, h } from './dom';

export function renderRefusals(refusals: readonly Refusal[]): void {
  byId('no-refusals').hidden = refusals.length > 0;
  byId('refusals').replaceChildren(
    ...refusals.map((r) => h('li', { text: `${new Date(r.at).toLocaleTimeString()} · ${r.clientId} · ${r.code}: ${r.reason}` })),
  );
}
