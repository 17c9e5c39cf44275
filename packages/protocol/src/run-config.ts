import { z } from 'zod';

export const ALGORITHMS = ['zero-shot', 'local', 'fedclip', 'creff', 'clip2fl', 'centralised'] as const;
export const AGGREGATIONS = ['fedavg', 'uniform', 'median', 'trimmed-mean'] as const;
export const DATASETS = ['emoji-domains', 'fashion-mnist-lt'] as const;

/** A run's settings as an operator gives them (HTTP body or CLI flags); defaults follow the FedCLIP paper. */
export const runConfigSchema = z
  .object({
    name: z.string().min(1).max(100).default('fedclip-run'),
    dataset: z.enum(DATASETS).default('emoji-domains'),
    /** EmojiDomains style never trained on, used to measure generalisation (leave-one-style-out). */
    heldOutDomain: z.string().max(64).default('openmoji'),
    algorithm: z.enum(ALGORITHMS).default('fedclip'),
    rounds: z.number().int().min(1).max(10_000).default(10),
    localEpochs: z.number().int().min(1).max(100).default(1),
    batchSize: z.number().int().min(2).max(1024).default(32),
    learningRate: z.number().positive().max(1).default(5e-5),
    weightDecay: z.number().min(0).max(10).default(0.2),
    minClients: z.number().int().min(1).max(10_000).default(2),
    maxClientsPerRound: z.number().int().min(1).max(100_000).default(1000),
    clientFraction: z.number().gt(0).max(1).default(1),
    roundDeadlineMs: z.number().int().min(1_000).max(86_400_000).default(120_000),
    /** Quorum: the share of a round's selected clients whose updates must arrive for the round to count. */
    minCompletionRate: z.number().gt(0).max(1).default(0.5),
    /** A round below quorum at its deadline is re-issued this many times, then the run pauses with a reason. */
    maxRoundRetries: z.number().int().min(0).max(100).default(3),
    aggregation: z.enum(AGGREGATIONS).default('fedavg'),
    /** Updates whose distance from the global adapter (L2 norm of the delta) exceeds this are refused. */
    maxUpdateNorm: z.number().positive().default(1000),
    /** When set, each accepted delta is scaled down to at most this L2 norm before aggregation. */
    clipUpdateNorm: z.number().positive().optional(),
    /** Client-level differential privacy (DP-FedAvg): clip every delta, equal weights, Gaussian noise. */
    dp: z
      .object({
        clipNorm: z.number().positive(),
        noiseMultiplier: z.number().positive(),
        delta: z.number().gt(0).lt(1).default(1e-5),
      })
      .strict()
      .optional(),
    updateDtype: z.enum(['float32', 'float16', 'int8']).default('float32'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  })
  .strict()
  .refine((c) => c.maxClientsPerRound >= c.minClients, {
    message: 'maxClientsPerRound must be at least minClients',
    path: ['maxClientsPerRound'],
  });

export type RunConfig = z.output<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;
