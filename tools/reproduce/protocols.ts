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
  /**
   * The class-level objective and no weight decay, as the demo preset: FedCLIP's in-batch loss counts same-class
   * pairs as negatives, and its coupled decay holds the attention adapter at zero-shot. Both departures from the
   * paper are measured as ablations on the derived-domain grid (`fedclip-paper-loss`, `fedclip-decay`).
   */
  objective: 'class-ce',
  weightDecay: 0,
} as const satisfies Partial<RunConfigInput>;

export const PROTOCOL_B_SETTINGS = {
  rounds: 5,
  localEpochs: 1,
  learningRate: 1e-3,
  /** 40 % of the 20 clients per round, as CLIP2FL. */
  clientFraction: 0.4,
  minClients: 8,
  maxClientsPerRound: 8,
  fashionMnistLt: {
    clientShards: 20,
    dirichletAlpha: 0.5,
    /** Head class 1,000 images (Fashion-MNIST has 6,000): the long tail keeps its shape at 1/6 of the size. */
    headClassSize: 1000,
    /** 300 test images per class (3,000 of the balanced 10,000). */
    testPerClass: 300,
    /** The long-tailed set and its partition are fixed across seeds, as the reference code fixes seed 7. */
    dataSeed: 7,
  },
  clip2fl: {
    featuresPerClass: 100,
    matchSteps: 10,
    featureLr: 0.1,
    retrainEpochs: 10,
    retrainLr: 0.1,
  },
} as const satisfies Partial<RunConfigInput>;

/**
 * Protocol B with CLIP2FL's own client model: the ResNet-8 student trained from pixels on the tab (plain SGD at
 * lr 0.1, as the reference code), CLIP as the teacher. The same long-tailed set, partition and sampling as the
 * adapter variant; more rounds, because the student starts from random weights. The server step runs at the
 * reference code's matching and re-training settings (100 steps, 300 epochs at lr 0.01).
 */
export const PROTOCOL_B_STUDENT_SETTINGS = {
  ...PROTOCOL_B_SETTINGS,
  clientModel: 'student-resnet8',
  learningRate: 0.1,
  weightDecay: 0,
  rounds: 12,
  localEpochs: 1,
  /** 100 test images per class: the student's evaluation runs on pixels every round and would dominate the run. */
  fashionMnistLt: { ...PROTOCOL_B_SETTINGS.fashionMnistLt, testPerClass: 100 },
  clip2fl: {
    featuresPerClass: 100,
    matchSteps: 100,
    featureLr: 0.1,
    retrainEpochs: 300,
    retrainLr: 0.01,
  },
} as const satisfies Partial<RunConfigInput>;

export const SEEDS = [0, 1, 2];
/** Protocol A's methods: the FedCLIP paper's comparison, with both client heads. */
export const PROTOCOL_A_METHODS = ['zero-shot', 'local', 'fedclip', 'fedclip-clip-adapter', 'centralised'] as const;
/** Protocol A ablations, on the derived-domain grid only: the paper's training settings one at a time. */
export const PROTOCOL_A_ABLATIONS = ['fedclip-decay', 'fedclip-paper-loss'] as const;
export type ProtocolAMethod = (typeof PROTOCOL_A_METHODS)[number] | (typeof PROTOCOL_A_ABLATIONS)[number];

/** What each protocol A method sets beyond PROTOCOL_A_SETTINGS. */
const PROTOCOL_A_METHOD_CONFIG: Record<ProtocolAMethod, Partial<RunConfigInput>> = {
  'zero-shot': { algorithm: 'zero-shot' },
  local: { algorithm: 'local' },
  fedclip: { algorithm: 'fedclip' },
  'fedclip-clip-adapter': { algorithm: 'fedclip', clientModel: 'clip-adapter' },
  centralised: { algorithm: 'centralised' },
  /** FedCLIP's coupled weight decay 0.2 (AdamW-style L2 in the gradient), class-level objective. */
  'fedclip-decay': { algorithm: 'fedclip', weightDecay: 0.2 },
  /** The paper's training exactly: in-batch CLIP loss and weight decay 0.2. */
  'fedclip-paper-loss': { algorithm: 'fedclip', objective: 'clip', weightDecay: 0.2 },
};
export const PROTOCOL_B_METHODS = ['fedclip', 'creff', 'clip2fl-no-kd', 'clip2fl'] as const;
/**
 * The student grid's runs. FedAvg is not run on its own: a CReFF run trains the very same student (CReFF changes
 * only the server's balanced head R), so its FedAvg head is the FedAvg result, and both heads are recorded.
 */
export const PROTOCOL_B_STUDENT_METHODS = ['creff', 'clip2fl-no-kd', 'clip2fl'] as const;
/**
 * The derived-domain grid: every client's domain is one the model never saw (a silhouette, an edge-map sketch and
 * colour-inverted images of the three pretraining styles), with each unseen style held out in turn.
 */
export const DERIVED_CLIENT_DOMAINS = ['noto-silhouette', 'twemoji-sketch', 'fluent-flat-inverted'] as const;
export const DERIVED_HELD_OUT = ['openmoji', 'fluent-high-contrast'] as const;
export const IMBALANCE_FACTORS = [10, 50, 100] as const;

const ROUND_DEADLINE_MS = 600_000;

/**
 * Protocol A: FedCLIP on EmojiDomains, leave one domain out. Two grids: the five styles (one client each, every
 * style held out in turn; openmoji and fluent-high-contrast are unseen by the model) and the derived domains.
 */
export function protocolA(seeds: readonly number[] = SEEDS): ExperimentSpec[] {
  const specs: ExperimentSpec[] = [];
  const add = (grid: 'styles' | 'derived', heldOut: string, clientDomains: readonly string[], methods: readonly ProtocolAMethod[]) => {
    for (const method of methods) {
      // Zero-shot CLIP does not depend on the seed: one run per setting.
      for (const seed of method === 'zero-shot' ? [seeds[0]] : seeds) {
        const clients = method === 'zero-shot' ? 0 : method === 'centralised' ? 1 : clientDomains.length;
        specs.push({
          id: `A/${grid === 'derived' ? 'derived/' : ''}${heldOut}/${method}/${seed}`,
          protocol: 'A',
          grid,
          method,
          setting: heldOut,
          seed,
          clients,
          config: {
            ...PROTOCOL_A_SETTINGS,
            ...PROTOCOL_A_METHOD_CONFIG[method],
            name: `A ${grid} ${method} held-out ${heldOut} seed ${seed}`,
            dataset: 'emoji-domains',
            emojiDomains: { heldOutDomain: heldOut, clientDomains: [...clientDomains] },
            minClients: Math.max(1, clients),
            seed,
            roundDeadlineMs: ROUND_DEADLINE_MS,
          },
        });
      }
    }
  };
  const styles = EMOJI_STYLES.map((s) => s.name);
  for (const heldOut of styles) add('styles', heldOut, styles.filter((s) => s !== heldOut), PROTOCOL_A_METHODS);
  for (const heldOut of DERIVED_HELD_OUT) add('derived', heldOut, DERIVED_CLIENT_DOMAINS, [...PROTOCOL_A_METHODS, ...PROTOCOL_A_ABLATIONS]);
  return specs;
}

/**
 * Protocol B: CLIP2FL and its baselines on Fashion-MNIST-LT, IF 10 / 50 / 100, with the FedCLIP adapter on CLIP
 * features as client model (the adapter grid) and with CLIP2FL's ResNet-8 student on pixels (the student grid).
 */
export function protocolB(seeds: readonly number[] = SEEDS): ExperimentSpec[] {
  return [
    ...protocolBGrid('student', PROTOCOL_B_STUDENT_SETTINGS, PROTOCOL_B_STUDENT_METHODS, seeds),
    ...protocolBGrid('adapter', PROTOCOL_B_SETTINGS, PROTOCOL_B_METHODS, seeds),
  ];
}

/** One client model's grid: every imbalance factor × method × seed on that model's settings. */
function protocolBGrid(
  grid: 'adapter' | 'student',
  settings: typeof PROTOCOL_B_SETTINGS | typeof PROTOCOL_B_STUDENT_SETTINGS,
  methods: readonly (typeof PROTOCOL_B_METHODS)[number][],
  seeds: readonly number[],
): ExperimentSpec[] {
  const prefix = grid === 'student' ? 'B/student/' : 'B/';
  return IMBALANCE_FACTORS.flatMap((imbalanceFactor) =>
    methods.flatMap((method) =>
      seeds.map((seed) => ({
        id: `${prefix}IF${imbalanceFactor}/${method}/${seed}`,
        protocol: 'B' as const,
        grid,
        method,
        setting: `IF ${imbalanceFactor}`,
        seed,
        clients: settings.fashionMnistLt.clientShards,
        config: {
          ...settings,
          clip2fl: { ...settings.clip2fl, kd: method === 'clip2fl' },
          name: `B ${grid === 'student' ? 'student ' : ''}${method} IF ${imbalanceFactor} seed ${seed}`,
          dataset: 'fashion-mnist-lt' as const,
          fashionMnistLt: { ...settings.fashionMnistLt, imbalanceFactor },
          algorithm: method === 'clip2fl-no-kd' ? ('clip2fl' as const) : method,
          // FedAvg by sample count, as CLIP2FL (client sizes are equal by construction).
          aggregation: 'fedavg' as const,
          seed,
          roundDeadlineMs: ROUND_DEADLINE_MS,
        },
      })),
    ),
  );
}
