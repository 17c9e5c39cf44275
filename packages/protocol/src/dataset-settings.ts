import { z } from 'zod';

/**
 * Each dataset's own run settings, nested in a run config under the dataset's key (`emojiDomains`,
 * `fashionMnistLt`), so a new dataset adds one schema here and one key to the run config instead of loose
 * top-level fields. The server's dataset folders (apps/server/src/runs/datasets) read only their own object.
 */
export const emojiDomainsSettingsSchema = z
  .object({
    /** EmojiDomains style never trained on, used to measure generalisation (leave-one-style-out). */
    heldOutDomain: z.string().max(64).default('openmoji'),
    /**
     * EmojiDomains domains the clients hold, one shard each (styles or derived domains such as `noto-silhouette`);
     * empty = every style but the held-out one (FedCLIP's leave-one-domain-out).
     */
    clientDomains: z.array(z.string().max(64)).max(32).default([]),
  })
  .strict();

export const fashionMnistLtSettingsSchema = z
  .object({
    /** Head/tail ratio of the long-tailed training set (CLIP2FL uses 10, 50 and 100). */
    imbalanceFactor: z.number().min(1).max(10_000).default(100),
    /** Training images of the head class (6,000 = all of Fashion-MNIST's; smaller scales the set down). */
    headClassSize: z.number().int().min(2).max(6000).default(6000),
    /** Client shards the long-tailed set is partitioned into (one per client). */
    clientShards: z.number().int().min(1).max(1000).default(20),
    /** Concentration of the Dirichlet label skew across client shards. */
    dirichletAlpha: z.number().positive().max(1000).default(0.5),
    /** Test images per class from the balanced test set (1,000 = all 10,000). */
    testPerClass: z.number().int().min(1).max(1000).default(1000),
    /** Seeds the long-tail sampling and partition; defaults to the run's `seed`. */
    dataSeed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  })
  .strict();

export type EmojiDomainsSettings = z.output<typeof emojiDomainsSettingsSchema>;
export type FashionMnistLtSettings = z.output<typeof fashionMnistLtSettingsSchema>;

/** The run-config key of each dataset's settings object. */
export const DATASET_SETTINGS_KEYS = { emojiDomains: emojiDomainsSettingsSchema, fashionMnistLt: fashionMnistLtSettingsSchema } as const;

/**
 * Run configs written before the dataset settings were nested (run folders on disk, scripts, HTTP clients) name
 * them at the top level. Such a config is read by moving each one into its dataset's object; a setting given both
 * ways is refused, since one of the two values would be silently dropped.
 */
export function nestLegacyDatasetSettings(input: unknown, refuse: (message: string, path: string[]) => void): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const [key, schema] of Object.entries(DATASET_SETTINGS_KEYS)) {
    const nested = out[key];
    if (nested !== undefined && (typeof nested !== 'object' || nested === null || Array.isArray(nested))) continue; // the schema names the error
    let moved: Record<string, unknown> | undefined;
    for (const field of Object.keys(schema.shape)) {
      if (!(field in out)) continue;
      moved ??= { ...(nested as Record<string, unknown> | undefined) };
      if (field in moved) refuse(`${field} is given both at the top level and as ${key}.${field}; give it once, as ${key}.${field}`, [field]);
      moved[field] = out[field];
      delete out[field];
    }
    if (moved) out[key] = moved;
  }
  return out;
}
