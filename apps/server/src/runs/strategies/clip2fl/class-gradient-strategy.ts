import { classGradientsFromWeightSet, classifierToWeightSet, type ClassGradient, type WeightSet } from '@clipfed/fl';
import { decodeTensors, encodeTensors, type Clip2flSettings, type WireTensor } from '@clipfed/protocol';
import { TaskConfigError } from '../../emoji-task';
import type { Evaluation } from '../../evaluator';
import { AdapterStrategy } from '../adapter-strategy';
import type { ClosedRound, RoundExtras, StrategyContext, UploadExtras } from '../strategy';
import { CLIP2FL_STATE_TENSORS, Clip2flServerState, type ServerStepStats } from './server-state';

/** What tells CLIP2FL and CReFF apart on top of the shared gradient-matching machinery. */
export interface ClassGradientVariant {
  /** λ of the prototype contrastive loss towards the CLIP text embeddings (CReFF has none). */
  pclLambda(settings: Clip2flSettings): number;
  /** Whether clients distil from zero-shot CLIP logits. */
  usesKd(settings: Clip2flSettings): boolean;
}

/** Checkpoint names of the server state, kept apart from the client model's own tensors (the student has a `classifier.*` too). */
const STATE_PREFIX = 'clip2fl/';

/**
 * CLIP2FL / CReFF on the run's client model: clients send the model and per-class gradients of the balanced
 * classifier R on the model's features (adapted CLIP features, or the student's feature layer); after aggregating
 * the model, the server moves its federated feature bank (of the model's feature size) by gradient matching and
 * re-trains R.
 */
export class ClassGradientStrategy extends AdapterStrategy {
  state: Clip2flServerState;
  /** Size of the features R scores: the client model's (512 for the student, d for an adapter). */
  readonly featureDim: number;

  constructor(
    ctx: StrategyContext,
    private readonly variant: ClassGradientVariant,
  ) {
    super(ctx);
    this.featureDim = this.model.featureDim(this.modelContext);
    // PCL compares federated features with CLIP's text embeddings: they must live in the same space.
    if (variant.pclLambda(ctx.config.clip2fl) > 0 && this.featureDim !== ctx.embedDim) {
      throw new TaskConfigError(
        `${ctx.config.algorithm} with client model ${ctx.config.clientModel}: its prototype contrastive loss pulls the model's ${this.featureDim}-d features towards CLIP's ${ctx.embedDim}-d text embeddings, so the two sizes must match; use a CLIP with ${this.featureDim}-d embeddings, set clip2fl.pclLambda to 0, or run creff`,
      );
    }
    this.state = Clip2flServerState.create({
      numClasses: ctx.task.classNames.length,
      dim: this.featureDim,
      settings: ctx.config.clip2fl,
      seed: ctx.config.seed,
      featureScale: this.model.featureScale,
    });
  }

  override evaluate(): Promise<Evaluation> {
    return this.ctx.evaluator.evaluateModel({ weights: this.global, classifier: this.state.classifier });
  }

  /** R, the probe settings and (CLIP2FL) KD. */
  override roundExtras(): RoundExtras {
    const s = this.ctx.config.clip2fl;
    return {
      clip2fl: {
        // R travels in float32 whatever the adapter's dtype: its gradients are what the server matches.
        classifier: encodeTensors(classifierToWeightSet(this.state.classifier), 'float32'),
        gradientBatchSize: s.gradientBatchSize,
        gradientRepeats: s.gradientRepeats,
        ...(this.variant.usesKd(s) ? { kd: { temperature: s.kdTemperature, alpha: s.kdAlpha } } : {}),
      },
    };
  }

  /** Validated gradients (shapes [P, C, d] / [P, C], finite values, class ids in range, no repeats), or the reason to refuse. */
  override readUpload(upload: { classGradients?: WireTensor[] }): UploadExtras | string {
    if (!upload.classGradients) return `a ${this.name} update must carry class gradients of the balanced classifier next to the model's weights`;
    try {
      return { classGradients: classGradientsFromWeightSet(decodeTensors(upload.classGradients), this.ctx.task.classNames.length, this.featureDim) };
    } catch (e) {
      return `class gradients: ${(e as Error).message}`;
    }
  }

  /** The server step on the round's class gradients (ḡ_c = unweighted mean over the clients holding c). */
  async serverStep({ round, updates }: ClosedRound): Promise<{ serverStep: ServerStepStats }> {
    const byClass = new Map<number, ClassGradient[]>();
    for (const u of updates) for (const [c, g] of u.classGradients ?? []) byClass.set(c, [...(byClass.get(c) ?? []), g]);
    const settings = this.ctx.config.clip2fl;
    const stats = await this.state.step({
      backend: this.ctx.tfBackend,
      gradients: byClass,
      clientsWithGradients: updates.filter((u) => u.classGradients).length,
      textEmbeddings: this.ctx.evaluator.textEmbeddings,
      settings,
      lambda: this.variant.pclLambda(settings),
      seed: this.ctx.config.seed * 7_919 + round,
    });
    this.ctx.log.info({ runId: this.ctx.runId, round, ...stats, matchMs: Math.round(stats.matchMs), retrainMs: Math.round(stats.retrainMs) }, 'CLIP2FL server step');
    return { serverStep: stats };
  }

  override checkpointTensors(): WeightSet {
    return [...this.global, ...this.state.toWeightSet().map((t) => ({ ...t, name: STATE_PREFIX + t.name }))];
  }

  override restore(tensors: WeightSet): void {
    super.restore(tensors);
    let state = tensors.filter((t) => t.name.startsWith(STATE_PREFIX)).map((t) => ({ ...t, name: t.name.slice(STATE_PREFIX.length) }));
    // Checkpoints written before the prefix keep the state under its bare names (their models had no classifier.*).
    if (state.length === 0) state = tensors.filter((t) => CLIP2FL_STATE_TENSORS.includes(t.name));
    if (state.length !== CLIP2FL_STATE_TENSORS.length || !CLIP2FL_STATE_TENSORS.every((name) => state.some((t) => t.name === name))) {
      throw new Error('checkpoint lacks the feature bank or the balanced classifier');
    }
    this.state = Clip2flServerState.fromWeightSet(state, {
      numClasses: this.ctx.task.classNames.length,
      dim: this.featureDim,
      featuresPerClass: this.ctx.config.clip2fl.featuresPerClass,
    });
  }
}
