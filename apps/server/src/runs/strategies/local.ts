import { cloneWeightSet, type WeightSet } from '@clipfed/fl';
import type { StrategyMetrics } from '@clipfed/protocol';
import type { Evaluation } from '../evaluator';
import { AdapterStrategy } from './adapter-strategy';
import type { ClosedRound, StrategyDefinition, StrategyUpdate } from './strategy';

/** Checkpoint tensor names of the per-shard adapters. */
const localTensorName = (shard: number, name: string) => `local/${shard}/${name}`;

/** Local only: one adapter per shard, trained only by that shard's client(s), never averaged across shards. */
class LocalStrategy extends AdapterStrategy {
  private shardAdapters: WeightSet[] = this.ctx.task.shards.map(() => cloneWeightSet(this.global));

  override evaluate(): Promise<Evaluation> {
    return this.ctx.evaluator.evaluateModel({ weights: this.global, shardWeights: this.shardAdapters });
  }

  override weightsFor(shardIndex: number): WeightSet {
    return this.shardAdapters[shardIndex];
  }

  // Each shard's uploads are combined on their own, so nothing is folded into a run-wide sum.
  override streamingWeight(): undefined {
    return undefined;
  }

  override aggregate(closed: ClosedRound): StrategyMetrics {
    const byShard = new Map<number, StrategyUpdate[]>();
    for (const u of closed.updates) byShard.set(u.shardIndex, [...(byShard.get(u.shardIndex) ?? []), u]);
    for (const [shard, updates] of byShard) this.shardAdapters[shard] = this.ctx.rule.combine(this.shardAdapters[shard], updates, closed.round, closed.eligible);
    return this.ctx.rule.metricsFor?.(closed.round) ?? {};
  }

  override checkpointTensors(): WeightSet {
    return [...this.global, ...this.shardAdapters.flatMap((w, shard) => w.map((t) => ({ ...t, name: localTensorName(shard, t.name) })))];
  }

  override restore(tensors: WeightSet): void {
    super.restore(tensors);
    this.shardAdapters = this.shardAdapters.map((own, shard) => this.ownAdapter(tensors, own, `the local adapter of shard ${shard}`, localTensorName(shard, '')));
  }
}

export const localStrategy: StrategyDefinition = {
  id: 'local',
  summary: 'local only: each shard keeps its own adapter (lower bound)',
  create: (ctx) => new LocalStrategy(ctx),
};
