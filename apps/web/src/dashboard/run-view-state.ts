import type { RunState } from '@clipfed/protocol';
import type { ClientSummary, Refusal, RoundProgress, RunSnapshot } from '@clipfed/protocol';
import { clockOffset } from './countdown';
import { upsertRow, type MetricsRow } from './metrics-row';

const MAX_REFUSALS = 20;

/** Everything the page knows about the run it shows, kept current by the live events. */
export class RunViewState {
  state: RunState;
  readonly config: RunSnapshot['config'];
  clients: ClientSummary[];
  metrics: MetricsRow[];
  progress: RoundProgress | null;
  refusals: Refusal[] = [];
  /** Server clock minus this page's clock. */
  private offset: number;

  constructor(snapshot: RunSnapshot, localNow: number) {
    this.state = snapshot.state;
    this.config = snapshot.config;
    this.clients = snapshot.clients;
    this.metrics = [...snapshot.metrics].sort((a, b) => a.round - b.round);
    this.progress = snapshot.progress;
    this.offset = clockOffset(snapshot.serverNow, localNow);
  }

  get runId(): string {
    return this.state.runId;
  }

  serverNow(localNow: number): number {
    return localNow + this.offset;
  }

  applyMetrics(row: MetricsRow): void {
    this.metrics = upsertRow(this.metrics, row);
  }

  applyClients(clients: ClientSummary[], serverNow: number, localNow: number): void {
    this.clients = clients;
    this.offset = clockOffset(serverNow, localNow);
  }

  applyProgress(progress: RoundProgress | null, serverNow: number, localNow: number): void {
    this.progress = progress;
    this.offset = clockOffset(serverNow, localNow);
  }

  /** Newest first, bounded: a misbehaving client must not grow the page without end. */
  addRefusal(refusal: Refusal): void {
    this.refusals = [refusal, ...this.refusals].slice(0, MAX_REFUSALS);
  }
}
