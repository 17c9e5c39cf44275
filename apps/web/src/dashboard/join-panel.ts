import { getJson, runUrl } from './api';
import { byId, h } from './dom';

interface JoinInfo {
  runId: string;
  url: string;
  origins: string[];
  hint?: string;
  qrSvgUrl: string;
}

/** The join link, its QR code (drawn by the server) and the export links of one run. */
export async function showJoinPanel(runId: string, base?: string): Promise<void> {
  byId<HTMLAnchorElement>('export-csv').href = runUrl(runId, '/export.csv');
  byId<HTMLAnchorElement>('export-json').href = runUrl(runId, '/export.json');
  const info = await getJson<JoinInfo>(runUrl(runId, `/join${base ? `?base=${encodeURIComponent(base)}` : ''}`));
  const link = byId<HTMLAnchorElement>('join-link');
  link.href = info.url;
  link.textContent = info.url;
  const qr = byId<HTMLImageElement>('join-qr');
  qr.src = info.qrSvgUrl;
  qr.alt = `QR code that opens ${info.url}`;
  const hint = byId('join-hint');
  hint.hidden = !info.hint;
  hint.textContent = info.hint ?? '';

  const choice = byId('origin-choice');
  choice.hidden = info.origins.length < 2;
  const select = byId<HTMLSelectElement>('origin-select');
  select.replaceChildren(...info.origins.map((o) => h('option', { value: o, text: o })));
  select.value = new URL(info.url).origin;
  select.onchange = () => void showJoinPanel(runId, select.value);
}
