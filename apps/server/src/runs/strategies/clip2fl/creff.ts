import type { StrategyDefinition } from '../strategy';
import { ClassGradientStrategy } from './class-gradient-strategy';

/** CReFF (Shang et al. 2022): federated features by gradient matching and a re-trained balanced classifier, no PCL, no KD. */
export const creffStrategy: StrategyDefinition = {
  id: 'creff',
  summary: 'CReFF: federated features by gradient matching, balanced head',
  create: (ctx) => new ClassGradientStrategy(ctx, { pclLambda: () => 0, usesKd: () => false }),
};
