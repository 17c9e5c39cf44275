import { classGradientsFromWeightSet, classifierToWeightSet, type ClassGradient, type WeightSet } from '@clipfed/fl';
import { decodeTensors, encodeTensors, type Clip2flSettings, type WireTensor } from '@clipfed/protocol';
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

/**
 * CLIP2FL / CReFF on the adapter: clients send the adapter and per-class gradients of the balanced classifier R;
 * after aggregating the adapter, the server moves its federated feature bank by gradient matching and re-trains R.
 */
export class ClassGradientStrategy extends AdapterStrategy {
  state: Clip2flServerState;

  constructor(
    ctx: StrategyContext,
    private readonly variant: ClassGradientVariant,
  ) {
    super(ctx);
    this.state = Clip2flServerState.create({ numClasses: ctx.task.classNames.length, dim: ctx.embedDim, settings: ctx.config.clip2fl, seed: ctx.config.seed });
  }

  override evaluate(): Promise<Evaluation> {
    return this.ctx.evaluator.evaluateModel({ adapter: this.global, classifier: this.state.classifier });
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
    if (!upload.classGradients) return `a ${this.name} update must carry class gradients of the balanced classifier next to the adapter`;
    try {
      return { classGradients: classGradientsFromWeightSet(decodeTensors(upload.classGradients), this.ctx.task.classNames.length, this.ctx.embedDim) };
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
    return [...this.global, ...this.state.toWeightSet()];
  }

  override restore(tensors: WeightSet): void {
    super.restore(tensors);
    const state = tensors.filter((t) => CLIP2FL_STATE_TENSORS.includes(t.name));
    if (state.length !== CLIP2FL_STATE_TENSORS.length) throw new Error('checkpoint lacks the feature bank or the balanced classifier');
    this.state = Clip2flServerState.fromWeightSet(state, {
      numClasses: this.ctx.task.classNames.length,
      dim: this.ctx.embedDim,
      featuresPerClass: this.ctx.config.clip2fl.featuresPerClass,
    });
  }
}
