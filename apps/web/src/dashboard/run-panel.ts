import type { RunState } from '@clipfed/protocol';
import type { ClientSummary, Refusal, RoundProgress } from '@clipfed/protocol';
import { ChartsPanel } from './charts-panel';
import { renderClients } from './clients-view';
import { byId } from './dom';
import { showJoinPanel } from './join-panel';
import type { MetricsRow } from './metrics-row';
import { renderMetricsTable } from './metrics-table';
import { notify } from './notice';
import { summariseProgress } from './progress-summary';
import { renderProgress } from './progress-view';
import { renderRefusals } from './refusals-view';
import { updateControls } from './run-controls';
import { runSummaryText } from './run-summary';
import type { RunViewState } from './run-view-state';
import { viewSearch, type PageView } from './page-view';
import { renderRunStats } from './run-stats-view';

type Part = 'state' | 'progress' | 'clients' | 'metrics' | 'refusals';

/** Longest a live event waits to be drawn; events within it are drawn together (a page catching up draws once). */
const DRAW_DELAY_MS = 40;

/** The selected run's section: it draws a RunViewState and redraws the parts live events touched. */
export class RunPanel {
  private view: RunViewState | null = null;
  private charts: ChartsPanel | null = null;
  private readonly dirty = new Set<Part>();
  private drawTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly pageView: PageView) {}

  private schedule(part: Part): void {
    this.dirty.add(part);
    this.drawTimer ??= setTimeout(() => this.draw(), DRAW_DELAY_MS);
  }

  private drawNow(): void {
    if (this.drawTimer) clearTimeout(this.drawTimer);
    this.draw();
  }

  private draw(): void {
    this.drawTimer = null;
    if (!this.view) return;
    if (this.dirty.has('state')) this.renderState();
    else if (this.dirty.has('progress')) this.renderProgress();
    if (this.dirty.has('clients')) this.renderClients();
    if (this.dirty.has('metrics')) this.renderMetrics();
    if (this.dirty.has('refusals')) renderRefusals(this.view.refusals);
    this.dirty.clear();
  }

  get runId(): string | null {
    return this.view?.runId ?? null;
  }

  show(view: RunViewState): void {
    const switched = this.view?.runId !== view.runId;
    this.view = view;
    this.dirty.clear();
    const section = byId('run-view');
    section.hidden = false;
    // Created once the section is visible, so the charts start at their container's width.
    this.charts ??= new ChartsPanel({ projector: this.pageView === 'projector' });
    const c = view.config;
    byId('run-heading').textContent = `Run: ${c.name}`;
    const other: PageView = this.pageView === 'projector' ? 'full' : 'projector';
    const viewLink = byId<HTMLAnchorElement>('view-link');
    viewLink.href = viewSearch(view.runId, other);
    viewLink.textContent = other === 'projector' ? 'Projector view' : 'Full dashboard';
    byId('run-summary').textContent = runSummaryText(view.runId, c);
    this.renderState();
    this.renderClients();
    this.renderMetrics();
    renderRefusals(view.refusals);
    if (switched) {
      showJoinPanel(view.runId).catch((e: unknown) => notify(`Join link unavailable: ${e instanceof Error ? e.message : String(e)}`, 'error'));
    }
  }

  private renderState(): void {
    const v = this.view!;
    updateControls(v.state.status);
    renderRunStats(v.state, v.metrics, v.config.clientModel);
    byId('state-message').textContent = v.state.message ? `Last event: ${v.state.message}` : '';
    this.renderProgress();
  }

  private renderProgress(): void {
    const v = this.view!;
    renderProgress(summariseProgress(v.state, v.progress, v.config.minClients, v.serverNow(Date.now())));
  }

  private renderClients(): void {
    const v = this.view!;
    renderClients(v.clients, v.serverNow(Date.now()));
  }

  private renderMetrics(): void {
    const v = this.view!;
    this.charts!.update(v.metrics, v.config);
    renderRunStats(v.state, v.metrics, v.config.clientModel);
    renderMetricsTable(v.metrics);
  }

  onState(state: RunState): void {
    if (state.runId !== this.runId) return;
    this.view!.state = state;
    this.schedule('state');
  }

  onMetrics(runId: string, row: MetricsRow): void {
    if (runId !== this.runId) return;
    this.view!.applyMetrics(row);
    this.schedule('metrics');
  }

  onClients(runId: string, clients: ClientSummary[], serverNow: number): void {
    if (runId !== this.runId) return;
    this.view!.applyClients(clients, serverNow, Date.now());
    this.schedule('clients');
  }

  onProgress(runId: string, progress: RoundProgress | null, serverNow: number): void {
    if (runId !== this.runId) return;
    const roundChanged = (this.view!.progress?.round ?? null) !== (progress?.round ?? null);
    this.view!.applyProgress(progress, serverNow, Date.now());
    this.schedule('progress');
    // A round opening or closing is drawn at once, so even a short round shows on the projector.
    if (roundChanged) this.drawNow();
  }

  onRefusal(runId: string, refusal: Refusal): void {
    if (runId !== this.runId) return;
    this.view!.addRefusal(refusal);
    this.schedule('refusals');
  }

  /** Once a second: the countdown and the "last seen" column move on without any event. */
  tick(): void {
    if (!this.view) return;
    this.schedule('progress');
    this.schedule('clients');
  }
}
