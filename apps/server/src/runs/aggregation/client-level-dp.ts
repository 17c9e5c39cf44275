import { aggregateWithClientLevelDp } from '@clipfed/fl';
import type { RunConfig } from '@clipfed/protocol';
import { privacySpent } from '../privacy-spent';
import type { AggregationRule } from './aggregation-rule';

type DpSettings = NonNullable<RunConfig['dp']>;

/**
 * Client-level differential privacy (DP-FedAvg, McMahan et al. 2018) around a mean rule: every delta is clipped
 * to `clipNorm`, clients count equally (n is treated as public), and Gaussian noise of std σ·C/n is added. The
 * noise is calibrated to a mean's sensitivity, so a rule that is not a mean (median, trimmed mean) is refused.
 */
export function withClientLevelDp(inner: AggregationRule, dp: DpSettings): AggregationRule {
  if (!inner.meanOfUpdates) {
    throw new Error(`client-level DP calibrates its noise to a mean of clipped updates; aggregation '${inner.id}' is not a mean (use fedavg or uniform)`);
  }
  return {
    id: `dp(${inner.id})`,
    // Clipping happens inside, on the delta from the model the clients were sent.
    admit: (weights) => weights,
    // The noise comes from a CSPRNG inside: nothing public can regenerate it.
    combine: (reference, updates, _round, eligible) =>
      aggregateWithClientLevelDp(
        reference,
        updates.map((u) => u.weights),
        // Poisson sampling divides by the expected draw, a public constant; an empty draw then releases noise only.
        { ...dp, denominator: dp.sampleRate !== undefined ? Math.max(1, dp.sampleRate * eligible) : undefined },
      ),
    metricsFor: (round) => privacySpent(dp, round),
  };
}
