import type { ClientSummary, RoundMetricsRow, RunConfig } from '@clipfed/protocol';

/**
 * Poisson-sampled DP runs claim amplification by sampling, which holds only while nobody outside the server learns
 * who was drawn in a round. Their public views (HTTP without the operator token, the dashboard, the state every
 * tab receives) therefore say nothing about who took part, nor how many, nor anything computed from the clients'
 * own data outside the DP release (losses, sample counts). Every other run shows everything.
 */
export function samplingIsSecret(config: RunConfig): boolean {
  return config.dp?.sampleRate !== undefined;
}

/** A metrics row as the public sees it: the model's evaluation on server-held data, and nothing about the draw. */
export function publicMetricsRow(row: RoundMetricsRow): RoundMetricsRow {
  const { numSamples: _n, meanLoss: _l, meanTrainAccuracy: _a, meanTrainMs: _t, selected: _s, attempt: _r, bytesUp: _u, bytesDown: _d, ...rest } = row;
  return { ...rest, participants: [] };
}

/** A client as the public sees it in such a run: connected or not, never whether it is in a round. */
export function publicClientSummary(c: ClientSummary): ClientSummary {
  return { ...c, stage: c.connected ? 'connected' : 'disconnected', numSamples: 0, roundsContributed: 0 };
}
