import type { StrategyDefinition } from '../strategy';
import { ClassGradientStrategy } from './class-gradient-strategy';

/** CLIP2FL (Shi et al. 2024): CReFF's federated features plus PCL towards CLIP's text embeddings, and client KD from zero-shot CLIP. */
export const clip2flStrategy: StrategyDefinition = {
  id: 'clip2fl',
  summary: 'CLIP2FL: federated features + PCL, client KD from CLIP, balanced head',
  create: (ctx) => new ClassGradientStrategy(ctx, { pclLambda: (s) => s.pclLambda, usesKd: (s) => s.kd }),
};
