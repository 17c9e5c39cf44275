import type { RunConfig } from '@clipfed/protocol';
import { centralisedStrategy } from './centralised';
import { clip2flStrategy } from './clip2fl/clip2fl';
import { creffStrategy } from './clip2fl/creff';
import { fedclipStrategy } from './fedclip';
import { localStrategy } from './local';
import type { StrategyDefinition } from './strategy';
import { zeroShotStrategy } from './zero-shot';

/** Every algorithm a run can name in `algorithm`: one line each. */
export const STRATEGIES: { readonly [K in RunConfig['algorithm']]: StrategyDefinition } = {
  'zero-shot': zeroShotStrategy,
  local: localStrategy,
  fedclip: fedclipStrategy,
  creff: creffStrategy,
  clip2fl: clip2flStrategy,
  centralised: centralisedStrategy,
};

export function strategyFor(config: RunConfig): StrategyDefinition {
  return STRATEGIES[config.algorithm];
}
