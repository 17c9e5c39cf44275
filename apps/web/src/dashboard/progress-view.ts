import { byId, h } from './dom';
import type { ProgressSummary } from './progress-summary';

export function renderProgress(p: ProgressSummary): void {
  byId('progress-headline').textContent = p.headline;
  byId('countdown-line').hidden = p.countdown === null;
  byId('countdown').textContent = p.countdown ?? '';
  const bar = byId<HTMLProgressElement>('progress-bar');
  bar.hidden = p.selected === 0;
  bar.max = Math.max(1, p.selected);
  bar.value = p.reported;
  byId('progress-members').replaceChildren(
    ...p.members.map((m) => h('li', { 'data-reported': String(m.reported), text: `${m.clientId}: ${m.reported ? 'reported' : 'working'}` })),
  );
}
