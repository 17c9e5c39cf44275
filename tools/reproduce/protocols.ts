import { EMOJI_STYLES } from '@clipfed/data/browser-safe';
import type { RunConfigInput } from '@clipfed/protocol';
import type { ExperimentSpec } from './experiment';

/**
 * The scaled-down settings of both protocols: everything the paper setups run for hours is cut to
 * fit about an hour of this 2-core machine. docs/RESULTS.md prints them beside each table.
 */
export const PROTOCOL_A_SETTINGS = {
  rounds: 5,
  localEpochs: 1,
  /** FedCLIP's 5e-5 barely moves the adapter in 5 rounds of ~10 steps; 20× larger (see RESULTS.md). */
  learningRate: 1e-3,
  /** FedCLIP's reference code averages the training clients uniformly (algorithms.md §1.6). */
  aggregation: 'uniform',
} as const satisfies Partial<RunConfigInput>;

export const PROTOCOL_B_SETTINGS = {
  rounds: 5,
  localEpochs: 1,
  learningRate: 1e-3,
  clientShards: 20,
  dirichletAlpha: 0.5,
  /** 40 % of the 20 clients per round, as CLIP2FL. */
  clientFraction: 0.4,
  minClients: 8,
  maxClientsPerRound: 8,
  /** Head class 1,000 images (Fashion-MNIST has 6,000): the long tail keeps its shape at 1/6 of the size. */
  headClassSize: 1000,
  /** 300 test images per class (3,000 of the balanced 10,000). */
  testPerClass: 300,
  /** The long-tailed set and its partition are fixed across seeds, as the reference code fixes seed 7. */
  dataSeed: 7,
  clip2fl: {
    featuresPerClass: 100,
    matchSteps: 10,
    featureLr: 0.1,
    retrainEpochs: 10,
    retrainLr: 0.1,
  },
} as const satisfies Partial<RunConfigInput>;

export const SEEDS = [0, 1, 2];
export const PROTOCOL_A_METHODS = ['zero-shot', 'local', 'fedclip', 'centralised'] as const;
export const PROTOCOL_B_METHODS = ['fedclip', 'creff', 'clip2fl-no-kd', 'clip2fl'] as const;
export const IMBALANCE_FACTORS = [10, 50, 100] as const;

const ROUND_DEADLINE_MS = 600_000;

/** Protocol A: FedCLIP on EmojiDomains, one client per style, each style held out in turn. */
export function protocolA(seeds: readonly number[] = SEEDS): ExperimentSpec[] {
  const styles = EMOJI_STYLES.map((s) => s.name);
  const specs: ExperimentSpec[] = [];
  for (const heldOut of styles) {
    for (const method of PROTOCOL_A_METHODS) {
      // Zero-shot CLIP does not depend on the seed: one run per style.
      for (const seed of method === 'zero-shot' ? [seeds[0]] : seeds) {
        const trainingStyles = styles.length - 1;
        const clients = method === 'zero-shot' ? 0 : method === 'centralised' ? 1 : trainingStyles;
        specs.push({
          id: `A/${heldOut}/${method}/${seed}`,
          protocol: 'A',
          method,
          setting: heldOut,
          seed,
          clients,
          config: {
            ...PROTOCOL_A_SETTINGS,
            name: `A ${method} held-out ${heldOut} seed ${seed}`,
            dataset: 'emoji-domains',
            heldOutDomain: heldOut,
            algorithm: method,
            minClients: Math.max(1, clients),
            seed,
            roundDeadlineMs: ROUND_DEADLINE_MS,
          },
        });
      }
    }
  }
  return specs;
}

/** Protocol B: CLIP2FL and its baselines on Fashion-MNIST-LT, IF 10 / 50 / 100. */
export function protocolB(seeds: readonly number[] = SEEDS): ExperimentSpec[] {
  const specs: ExperimentSpec[] = [];
  for (const imbalanceFactor of IMBALANCE_FACTORS) {
    for (const method of PROTOCOL_B_METHODS) {
      for (const seed of seeds) {
        const algorithm = method === 'clip2fl-no-kd' ? 'clip2fl' : method;
        specs.push({
          id: `B/IF${imbalanceFactor}/${method}/${seed}`,
          protocol: 'B',
          method,
          setting: `IF ${imbalanceFactor}`,
          seed,
          clients: PROTOCOL_B_SETTINGS.clientShards,
          config: {
            ...PROTOCOL_B_SETTINGS,
            clip2fl: { ...PROTOCOL_B_SETTINGS.clip2fl, kd: method === 'clip2fl' },
            name: `B ${method} IF ${imbalanceFactor} seed ${seed}`,
            dataset: 'fashion-mnist-lt',
            imbalanceFactor,
            algorithm,
            // FedAvg by sample count, as CLIP2FL (client sizes are equal by construction).
            aggregation: 'fedavg',
            seed,
            roundDeadlineMs: ROUND_DEADLINE_MS,
          },
        });
      }
    }
  }
  return specs;
}
