import type { Evaluation } from '../evaluator';
import { AdapterStrategy } from './adapter-strategy';
import type { StrategyDefinition } from './strategy';

class ZeroShotStrategy extends AdapterStrategy {
  override readonly trainsRounds = false;

  // Zero-shot is CLIP with no adapter at all, not the freshly initialised one (which sits a few tenths of a point off).
  override evaluateInitial(): Promise<Evaluation> {
    return Promise.resolve(this.ctx.evaluator.evaluateZeroShot());
  }
}

/** The reference line: CLIP's text prototypes with no training at all. */
export const zeroShotStrategy: StrategyDefinition = {
  id: 'zero-shot',
  summary: 'zero-shot CLIP, no training (reference)',
  create: (ctx) => new ZeroShotStrategy(ctx),
};
