import type { RunListEntry } from '@clipfed/protocol';
import { byId } from './dom';
import { notify } from './notice';
import { pageViewOf, viewSearch } from './page-view';
import { mountControls } from './run-controls';
import { mountRunForm } from './run-form';
import { renderRunList } from './run-list-view';
import { RunPanel } from './run-panel';
import { RunViewState } from './run-view-state';
import { connectDashboard } from './socket';

const view = pageViewOf(location.search);
document.body.dataset.view = view;
const socket = connectDashboard();
const panel = new RunPanel(view);
let runs: RunListEntry[] = [];
/** The run the operator asked for, which may not have reached the run list yet. */
let wanted: string | null = new URLSearchParams(location.search).get('run');

function setConnection(state: 'connecting' | 'live' | 'lost', text: string): void {
  const el = byId('connection');
  el.dataset.state = state;
  el.textContent = text;
}

async function watch(runId: string): Promise<void> {
  const reply = await socket.emitWithAck('watch', runId);
  if (!reply.ok) {
    notify(reply.message, 'error');
    return;
  }
  if (wanted !== runId) return; // the operator picked another run meanwhile
  panel.show(new RunViewState(reply.snapshot, Date.now()));
  renderRunList(runs, runId, select);
}

function select(runId: string): void {
  const previous = panel.runId;
  if (previous && previous !== runId) socket.emit('unwatch', previous);
  wanted = runId;
  history.replaceState(null, '', viewSearch(runId, view));
  renderRunList(runs, runId, select);
  void watch(runId).then(() => byId('run-view').focus());
}

socket.on('connect', () => {
  setConnection('live', 'Live');
  // Rooms do not survive a reconnect: watch again, which also brings back what was missed.
  if (wanted) void watch(wanted);
});
socket.on('disconnect', () => setConnection('lost', 'Connection lost; reconnecting…'));
socket.on('connect_error', () => setConnection('lost', 'Cannot reach the server; retrying…'));

socket.on('runs', (list) => {
  runs = list;
  renderRunList(runs, wanted, select);
});
socket.on('run:state', (state) => panel.onState(state));
socket.on('run:metrics', ({ runId, row }) => panel.onMetrics(runId, row));
socket.on('run:clients', ({ runId, clients, serverNow }) => panel.onClients(runId, clients, serverNow));
socket.on('run:progress', ({ runId, progress, serverNow }) => panel.onProgress(runId, progress, serverNow));
socket.on('run:refusal', ({ runId, refusal }) => panel.onRefusal(runId, refusal));

mountRunForm(select);
mountControls(() => panel.runId);
setInterval(() => panel.tick(), 1000);
