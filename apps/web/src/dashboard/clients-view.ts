import type { ClientSummary } from '@clipfed/protocol';
import { formatAgo } from './countdown';
import { byId, h } from './dom';

const clientNumber = (id: string) => Number(/^c(\d+)-/.exec(id)?.[1] ?? Number.MAX_SAFE_INTEGER);

function backendText(c: ClientSummary): string {
  const { onnxBackend, tfBackend, fallbackAdapter } = c.capabilities;
  // A software WebGPU adapter matters only to a tab that runs on WebGPU (it is then slower than wasm).
  const software = fallbackAdapter && (onnxBackend === 'webgpu' || tfBackend === 'webgpu');
  return `ONNX ${onnxBackend}, tfjs ${tfBackend}${software ? ' (software GPU)' : ''}`;
}

/** The client table: connected clients first, in joining order; "last seen" is relative to the server clock. */
export function renderClients(clients: readonly ClientSummary[], serverNow: number): void {
  const sorted = [...clients].sort((a, b) => Number(b.connected) - Number(a.connected) || clientNumber(a.clientId) - clientNumber(b.clientId));
  const rows = sorted.map((c) =>
    h(
      'tr',
      { 'data-client-id': c.clientId },
      h('td', { class: c.connected ? undefined : 'disconnected' }, c.clientId, h('br'), h('span', { class: 'muted', text: c.clientKind })),
      h('td', { text: c.shard ? `${c.shard}, ${c.numSamples || '?'} images` : '–' }),
      h('td', { text: backendText(c) }),
      h('td', { class: c.connected ? undefined : 'disconnected', text: c.connected ? c.stage : 'disconnected' }),
      h('td', { text: String(c.roundsContributed) }),
      h('td', { text: formatAgo(c.lastSeen, serverNow) }),
    ),
  );
  byId('client-rows').replaceChildren(...rows);
  const connected = clients.filter((c) => c.connected).length;
  byId('client-count').textContent = `(${connected} connected${clients.length > connected ? `, ${clients.length - connected} gone` : ''})`;
}
