import type { StreamingWeightedSum, WeightSet } from '@clipfed/fl';
import type { RunConfig } from '@clipfed/protocol';
import type { RunTask } from './run-task';

/**
 * How far an upload may move the adapter it was sent: the run's absolute `maxUpdateNorm` when the operator set
 * one, otherwise `maxUpdateNormFactor` times the norm of that adapter. A fixed number would be about fifty
 * times a 512-d adapter's own norm; relative to the adapter, one upload cannot replace the model wholesale.
 */
export function updateNormBound(config: RunConfig, reference: WeightSet): number {
  if (config.maxUpdateNorm !== undefined) return config.maxUpdateNorm;
  return config.maxUpdateNormFactor * adapterNorm(reference);
}

/** Norms of the adapters uploads are measured against; a round's adapter is one object, measured once. */
const norms = new WeakMap<WeightSet, number>();

function adapterNorm(weights: WeightSet): number {
  let norm = norms.get(weights);
  if (norm === undefined) {
    let sq = 0;
    for (const t of weights) for (let i = 0; i < t.data.length; i++) sq += t.data[i] * t.data[i];
    norms.set(weights, (norm = Math.sqrt(sq)));
  }
  return norm;
}

/** Images a client holding this shard trains on: the shard, cut to the run's `maxImagesPerClient`. */
export function assignedShardSize(task: RunTask, config: RunConfig, shardIndex: number): number {
  const size = task.shards[shardIndex]?.labels.length ?? 0;
  return config.maxImagesPerClient === undefined ? size : Math.min(size, config.maxImagesPerClient);
}

/** The most a client on its own images weighs: the run's setting, else `maxImagesPerClient`, else the largest shard. */
export function ownImagesWeightCap(task: RunTask, config: RunConfig): number {
  return config.maxOwnImagesWeight ?? config.maxImagesPerClient ?? Math.max(1, ...task.shards.map((s) => s.labels.length));
}

/**
 * The FedAvg weight an upload gets: what the server can check, never just what the client claims. On an
 * assigned shard, at most that shard's size; on the volunteer's own images, at most the per-run cap (and later,
 * at most maxClientShare of the round, see foldOwnImageUploads).
 */
export function admittedWeight(claimed: number, ownImages: boolean, shardSize: number, ownImagesCap: number): number {
  return Math.max(1, Math.min(claimed, ownImages ? ownImagesCap : shardSize));
}

/**
 * Folds the round's own-image uploads into the streaming sum of the checked ones, each weighing at most
 * `maxShare` of the round's total (that total includes the capped weights themselves: the cap c solves
 * c = maxShare x (checked total + sum of min(w, c)), found by iterating down from the largest claim). When no
 * checked weight exists and the share cannot hold for everyone (maxShare x n <= 1), the uploads weigh equally
 * (each the smallest claim).
 * Returns the weights used, in order.
 */
export function foldOwnImageUploads(sum: StreamingWeightedSum, uploads: readonly { weights: WeightSet; weight: number }[], maxShare: number): number[] {
  if (uploads.length === 0) return [];
  const checked = sum.totalWeight;
  const claims = uploads.map((u) => u.weight);
  let used: number[];
  if (checked === 0 && maxShare * uploads.length <= 1) {
    // Equal weights, at the smallest claim: a lone client keeps its own count in the metrics.
    const smallest = Math.min(...claims);
    used = claims.map(() => smallest);
  } else {
    let cap = Math.max(...claims);
    for (let i = 0; i < 200; i++) {
      const next = maxShare * (checked + claims.reduce((s, w) => s + Math.min(w, cap), 0));
      if (Math.abs(next - cap) <= 1e-9 * cap) break;
      cap = Math.min(cap, next);
    }
    used = claims.map((w) => Math.min(w, cap));
  }
  uploads.forEach((u, i) => sum.add(u.weights, used[i]));
  return used;
}
