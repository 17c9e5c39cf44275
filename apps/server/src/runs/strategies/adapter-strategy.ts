import { clientModelFor, validateWeightSet, type ClientModel, type ClientModelContext, type WeightSet } from '@clipfed/fl';
import type { StrategyMetrics, WireTensor } from '@clipfed/protocol';
import type { Evaluation } from '../evaluator';
import { clientModelContext } from '../run-task';
import type { ClosedRound, RoundExtras, Strategy, StrategyContext, UploadExtras } from './strategy';

/**
 * One global model (the run's client model: the FedCLIP adapter by default, CLIP-Adapter, or CLIP2FL's student),
 * trained by every selected client and combined by the run's aggregation rule: FedCLIP (= FedAvg on the adapter),
 * FedAvg on any other client model (its BN statistics averaged like every other tensor), and the base of the other
 * strategies.
 */
export class AdapterStrategy implements Strategy {
  readonly trainsRounds: boolean = true;
  global: WeightSet;
  /** The run's client model and what it is built for (CLIP size, classes, pixel format). */
  protected readonly model: ClientModel;
  protected readonly modelContext: ClientModelContext;

  constructor(protected readonly ctx: StrategyContext) {
    this.model = clientModelFor(ctx.config.clientModel);
    this.modelContext = clientModelContext(ctx.task, ctx.embedDim);
    this.global = this.model.init(this.modelContext, ctx.config.seed);
  }

  protected get name(): string {
    return this.ctx.config.algorithm;
  }

  evaluateInitial(): Promise<Evaluation> {
    return this.evaluate();
  }

  evaluate(): Promise<Evaluation> {
    // One global model and no R: its own head, in slices (the student's forward pass takes seconds on a big set).
    return this.ctx.evaluator.evaluateModel({ weights: this.global });
  }

  weightsFor(_shardIndex: number): WeightSet {
    return this.global;
  }

  roundExtras(): RoundExtras {
    return {};
  }

  readUpload(upload: { classGradients?: WireTensor[] }): UploadExtras | string {
    return upload.classGradients ? `class gradients are only sent in CLIP2FL / CReFF runs; this run is ${this.name}` : {};
  }

  streamingWeight(numSamples: number): number | undefined {
    return this.ctx.rule.streamingWeight?.(numSamples);
  }

  admit(weights: WeightSet, reference: WeightSet): WeightSet {
    return this.ctx.rule.admit(weights, reference);
  }

  aggregate(closed: ClosedRound): StrategyMetrics {
    this.global = closed.sum ? closed.sum.result() : this.ctx.rule.combine(this.global, closed.updates, closed.round, closed.eligible);
    return this.ctx.rule.metricsFor?.(closed.round) ?? {};
  }

  checkpointTensors(): WeightSet {
    return this.global;
  }

  restore(tensors: WeightSet): void {
    this.global = this.ownAdapter(tensors, this.global, 'the global adapter');
  }

  /** The adapter tensors of `tensors` named like `like`'s (after `prefix`), validated against its layout. */
  protected ownAdapter(tensors: WeightSet, like: WeightSet, what: string, prefix = ''): WeightSet {
    const spec = like.map((t) => ({ name: t.name, shape: t.shape }));
    const found = spec.map((s) => tensors.find((t) => t.name === prefix + s.name));
    if (found.some((t) => !t)) throw new Error(`checkpoint lacks ${what}`);
    const weights = found.map((t) => ({ ...t!, name: t!.name.slice(prefix.length) }));
    const problem = validateWeightSet(weights, spec);
    if (problem) throw new Error(`checkpoint: ${what} does not fit this model: ${problem}`);
    return weights;
  }
}
