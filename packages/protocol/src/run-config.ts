import { z } from 'zod';
import { emojiDomainsSettingsSchema, fashionMnistLtSettingsSchema, nestLegacyDatasetSettings } from './dataset-settings';

export const ALGORITHMS = ['zero-shot', 'local', 'fedclip', 'creff', 'clip2fl', 'centralised'] as const;
export const AGGREGATIONS = ['fedavg', 'uniform', 'median', 'trimmed-mean'] as const;
export const DATASETS = ['emoji-domains', 'fashion-mnist-lt'] as const;
/** The client models of `@clipfed/fl`'s registry (its `CLIENT_MODELS`), which this list must name. */
export const CLIENT_MODEL_IDS = ['fedclip-adapter', 'clip-adapter', 'student-resnet8'] as const;
export type ClientModelName = (typeof CLIENT_MODEL_IDS)[number];

/**
 * What a run trains with when it does not say: the heads on CLIP features follow FedCLIP (Adam, lr 5e-5, coupled
 * weight decay 0.2), CLIP2FL's student follows CLIP2FL (plain SGD, lr 0.1, no weight decay).
 */
export const CLIENT_MODEL_TRAINING_DEFAULTS: { readonly [K in ClientModelName]: { learningRate: number; weightDecay: number } } = {
  'fedclip-adapter': { learningRate: 5e-5, weightDecay: 0.2 },
  'clip-adapter': { learningRate: 5e-5, weightDecay: 0.2 },
  'student-resnet8': { learningRate: 0.1, weightDecay: 0 },
};

/**
 * CLIP2FL / CReFF settings (algorithms.md §2). Defaults are the reference code's, except where the
 * feature scale differs: an adapter's features are normalised I* (unit norm), so its federated
 * features start at the same scale (bankInitStd 1/√d unless given); the student's raw feature layer
 * keeps the reference's N(0, 1).
 * `creff` ignores `kd` and `pclLambda` (it has neither).
 */
export const clip2flSettingsSchema = z
  .object({
    /** Client-side distillation from zero-shot CLIP logits (CLIP2FL's KD; off = "CLIP2FL without KD"). */
    kd: z.boolean().default(true),
    kdAlpha: z.number().min(0).max(100).default(1),
    kdTemperature: z.number().positive().max(100).default(3),
    /** Weight λ of the prototype contrastive loss on the federated features (`contrast_alpha`). */
    pclLambda: z.number().min(0).max(100).default(0.001),
    /** Federated features per class M. */
    featuresPerClass: z.number().int().min(2).max(1000).default(100),
    /** SGD steps on the federated features per round (`match_epoch`). */
    matchSteps: z.number().int().min(0).max(10_000).default(100),
    featureLr: z.number().positive().max(100).default(0.1),
    /** Std of the N(0, σ²) start of the federated features; default 1/√d for unit-norm features, 1 for raw ones. */
    bankInitStd: z.number().positive().max(100).optional(),
    /** Epochs of the fresh balanced classifier R per round (`crt_epoch`). */
    retrainEpochs: z.number().int().min(1).max(10_000).default(300),
    retrainLr: z.number().positive().max(100).default(0.01),
    retrainBatchSize: z.number().int().min(1).max(4096).default(32),
    /** Samples per class per gradient probe on the client (`batch_real`) and probes averaged. */
    gradientBatchSize: z.number().int().min(1).max(4096).default(32),
    gradientRepeats: z.number().int().min(1).max(100).default(10),
  })
  .strict();

export type Clip2flSettings = z.output<typeof clip2flSettingsSchema>;

/**
 * A run's settings as fields, before the legacy top-level dataset settings are moved in (runConfigSchema does
 * that): its shape is what the CLI flags, the dashboard's form and `RunConfigInput` are made from.
 */
export const runConfigFieldsSchema = z
  .object({
    /** Defaults to the algorithm and dataset ("clip2fl-fashion-mnist-lt"), so a run is never named after another algorithm. */
    name: z.string().min(1).max(100).optional(),
    dataset: z.enum(DATASETS).default('emoji-domains'),
    algorithm: z.enum(ALGORITHMS).default('fedclip'),
    /**
     * What the clients train (and the server aggregates): a head on their CLIP features (`fedclip-adapter`,
     * `clip-adapter`), or CLIP2FL's ResNet-8 student on their pixels (`student-resnet8`).
     */
    clientModel: z.enum(CLIENT_MODEL_IDS).default('fedclip-adapter'),
    rounds: z.number().int().min(1).max(10_000).default(10),
    localEpochs: z.number().int().min(1).max(100).default(1),
    batchSize: z.number().int().min(2).max(1024).default(32),
    /** Default: the client model's (CLIENT_MODEL_TRAINING_DEFAULTS: 5e-5 for the adapters, 0.1 for the student). */
    learningRate: z.number().positive().max(1).optional(),
    /** Default: the client model's (0.2 for the adapters, as FedCLIP; 0 for the student, as CLIP2FL). */
    weightDecay: z.number().min(0).max(10).optional(),
    /**
     * The adapter's local objective: `clip` is FedCLIP's symmetric in-batch loss (same-class pairs count as
     * negatives); `class-ce` scores each image against all class prompts (see docs/RESULTS.md for why it matters
     * on datasets with few classes).
     */
    objective: z.enum(['clip', 'class-ce']).default('clip'),
    minClients: z.number().int().min(1).max(10_000).default(2),
    /** Caps each client's shard (a seeded subset) for quick demos and tests on slow devices. */
    maxImagesPerClient: z.number().int().min(2).optional(),
    maxClientsPerRound: z.number().int().min(1).max(100_000).default(1000),
    clientFraction: z.number().gt(0).max(1).default(1),
    roundDeadlineMs: z.number().int().min(1_000).max(86_400_000).default(120_000),
    /** Quorum: the share of a round's selected clients whose updates must arrive for the round to count. */
    minCompletionRate: z.number().gt(0).max(1).default(0.5),
    /**
     * How long a disconnected client keeps its session (its place, shard and resume secret) before it is
     * forgotten; a tab back later joins as a new client.
     */
    sessionGraceMs: z.number().int().min(1_000).max(86_400_000).default(600_000),
    /** A round below quorum at its deadline is re-issued this many times, then the run pauses with a reason. */
    maxRoundRetries: z.number().int().min(0).max(100).default(3),
    aggregation: z.enum(AGGREGATIONS).default('fedavg'),
    /**
     * Updates whose distance from the adapter they were sent (L2 norm of the delta) exceeds this absolute bound
     * are refused. Unset (the default): the bound is `maxUpdateNormFactor` times that adapter's own norm, so it
     * scales with the model instead of being a number that is lax for a small adapter and tight for a large one.
     */
    maxUpdateNorm: z.number().positive().optional(),
    maxUpdateNormFactor: z.number().positive().max(1000).default(4),
    /**
     * The most a client training on its own images (which the server cannot check) weighs in FedAvg, in samples.
     * Default: `maxImagesPerClient` when set, otherwise the largest built-in shard. A client on a shard the server
     * assigned weighs at most that shard's size, whatever it claims.
     */
    maxOwnImagesWeight: z.number().int().min(1).optional(),
    /** The largest share of a round's total FedAvg weight one client on its own (unchecked) images may hold. */
    maxClientShare: z.number().gt(0).max(1).default(0.5),
    /** When set, each accepted delta is scaled down to at most this L2 norm before aggregation. */
    clipUpdateNorm: z.number().positive().optional(),
    /** Client-level differential privacy (DP-FedAvg): clip every delta, equal weights, Gaussian noise. */
    dp: z
      .object({
        clipNorm: z.number().positive(),
        noiseMultiplier: z.number().positive(),
        delta: z.number().gt(0).lt(1).default(1e-5),
        /**
         * Poisson client sampling: each ready client takes part in a round independently with this probability,
         * drawn from the CSPRNG (so nobody can tell who was drawn), and the accountant claims amplification by
         * sampling. Unset: every round samples as `clientFraction` says and no amplification is claimed.
         */
        sampleRate: z.number().gt(0).lt(1).optional(),
      })
      .strict()
      .optional(),
    /**
     * Encoding of the adapter on the wire, both ways. fp16 halves the bytes of float32 and cost no accuracy on
     * protocol A (docs/BENCHMARKS.md); int8 (per-tensor scale) quarters them.
     */
    updateDtype: z.enum(['float32', 'float16', 'int8']).default('float16'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    /** EmojiDomains' settings: the held-out domain and the clients' domains (dataset-settings.ts). */
    emojiDomains: emojiDomainsSettingsSchema.prefault({}),
    /** Fashion-MNIST-LT's settings: the long tail, its partition and the test set (dataset-settings.ts). */
    fashionMnistLt: fashionMnistLtSettingsSchema.prefault({}),
    clip2fl: clip2flSettingsSchema.prefault({}),
  })
  .strict()
  .refine((c) => c.maxClientsPerRound >= c.minClients, {
    message: 'maxClientsPerRound must be at least minClients',
    path: ['maxClientsPerRound'],
  })
  // DP's noise is calibrated to a mean's sensitivity (one client moves it by at most clipNorm / n).
  .refine((c) => !c.dp || c.aggregation === 'fedavg' || c.aggregation === 'uniform', {
    message: 'client-level DP needs a mean aggregation (fedavg or uniform); median and trimmed mean have no noise calibration',
    path: ['dp'],
  })
  .transform((c) => ({
    ...c,
    learningRate: c.learningRate ?? CLIENT_MODEL_TRAINING_DEFAULTS[c.clientModel].learningRate,
    weightDecay: c.weightDecay ?? CLIENT_MODEL_TRAINING_DEFAULTS[c.clientModel].weightDecay,
    name: c.name ?? defaultRunName(c),
  }));

/**
 * A run's settings as an operator gives them (HTTP body, CLI flags, a saved run folder); defaults follow the FedCLIP
 * paper. Dataset settings written at the top level, as before they were nested, are still read.
 */
export const runConfigSchema = z.preprocess(
  (input, ctx) => nestLegacyDatasetSettings(input, (message, path) => ctx.addIssue({ code: 'custom', message, path })),
  runConfigFieldsSchema,
);

/**
 * The name a run gets when none is given: what it runs, on what ("clip2fl-fashion-mnist-lt"); a client model other
 * than the FedCLIP adapter is named too ("fedavg-student-resnet8-fashion-mnist-lt", see methodName).
 */
export function defaultRunName(c: { algorithm: (typeof ALGORITHMS)[number]; dataset: (typeof DATASETS)[number]; clientModel?: ClientModelName }): string {
  const model = c.clientModel ?? 'fedclip-adapter';
  const algorithm = c.algorithm === 'fedclip' && model !== 'fedclip-adapter' ? 'fedavg' : c.algorithm;
  return model === 'fedclip-adapter' ? `${algorithm}-${c.dataset}` : `${algorithm}-${model}-${c.dataset}`;
}

/**
 * How a model's own predictions are named in reports: the nearest text prototype for a head on CLIP features, the
 * FedAvg head (the student's own, federated-averaged classifier) for CLIP2FL's student.
 */
export const CLIENT_MODEL_HEADS: { readonly [K in ClientModelName]: string } = {
  'fedclip-adapter': 'text prototypes',
  'clip-adapter': 'text prototypes',
  'student-resnet8': 'FedAvg head',
};

export function mainHeadName(clientModel: ClientModelName): string {
  return CLIENT_MODEL_HEADS[clientModel];
}

/**
 * The method a run measures, as a paper's table would name it: `fedclip` is FedCLIP on its attention adapter and
 * FedAvg on any other client model; CLIP2FL without distillation is named so; zero-shot CLIP trains nothing.
 */
export function methodName(c: { algorithm: (typeof ALGORITHMS)[number]; clientModel: ClientModelName; clip2fl: { kd: boolean } }): string {
  const on = c.clientModel === 'fedclip-adapter' ? '' : ` (${c.clientModel})`;
  switch (c.algorithm) {
    case 'zero-shot':
      return 'zero-shot CLIP';
    case 'fedclip':
      return c.clientModel === 'fedclip-adapter' ? 'FedCLIP' : `FedAvg${on}`;
    case 'clip2fl':
      return `CLIP2FL${c.clip2fl.kd ? '' : ' without KD'}${on}`;
    case 'creff':
      return `CReFF${on}`;
    case 'local':
      return `local only${on}`;
    case 'centralised':
      return `centralised${on}`;
  }
}

export type RunConfig = z.output<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigFieldsSchema>;
