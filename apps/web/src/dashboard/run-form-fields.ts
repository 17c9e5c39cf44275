import { AGGREGATIONS, ALGORITHMS, CLIENT_MODEL_IDS, DATASETS, runConfigSchema, type RunConfigInput } from '@clipfed/protocol';

/** Where a setting appears: the basic ones are always shown, the groups fold under "More settings". */
export const FIELD_GROUPS = ['basic', 'Rounds and volunteers', 'Training', 'Robustness and privacy', 'Fashion-MNIST-LT data', 'CLIP2FL and CReFF'] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];

/** One setting of the create-run form: how it is entered and the one-line explanation shown under it. */
export interface FieldSpec {
  /** Path in the run config ('dp.clipNorm' for a nested one). */
  key: string;
  label: string;
  help: string;
  kind: 'text' | 'integer' | 'number' | 'select' | 'boolean';
  options?: readonly string[];
  /** The form shows config value / scale (the deadline is entered in seconds, stored in ms). */
  scale?: number;
  min?: number;
  max?: number;
  /** Empty means "not set" (the feature is off, or the server picks). */
  optional?: boolean;
  /** What an empty optional field means, shown in it (default "off"). */
  emptyMeans?: string;
  /** Starts empty whatever the schema's default: the server picks the value from other settings (the client model's). */
  serverPicks?: boolean;
  group: FieldGroup;
}

export const RUN_FORM_FIELDS: readonly FieldSpec[] = [
  {
    key: 'name',
    label: 'Name',
    kind: 'text',
    group: 'basic',
    optional: true,
    emptyMeans: 'algorithm-dataset',
    help: 'Shown in the run list and in exported files. Left empty, the run is named after its algorithm and dataset (e.g. clip2fl-fashion-mnist-lt).',
  },
  {
    key: 'algorithm',
    label: 'Algorithm',
    kind: 'select',
    options: ALGORITHMS,
    group: 'basic',
    help: 'fedclip averages the attention adapter; clip2fl adds a server step for long-tailed data (creff: the same without the contrastive loss); zero-shot measures CLIP as it is. The server says if it cannot run one.',
  },
  {
    key: 'dataset',
    label: 'Dataset',
    kind: 'select',
    options: DATASETS,
    group: 'basic',
    help: 'emoji-domains: one art style per volunteer; fashion-mnist-lt: long-tailed Fashion-MNIST split across volunteers.',
  },
  {
    key: 'clientModel',
    label: 'Client model',
    kind: 'select',
    options: CLIENT_MODEL_IDS,
    group: 'basic',
    help:
      "What volunteers train: fedclip-adapter (FedCLIP's attention adapter) or clip-adapter on CLIP's image features, or student-resnet8, CLIP2FL's small ResNet on the images themselves (with fedclip it is plain FedAvg).",
  },
  {
    key: 'heldOutDomain',
    label: 'Held-out style',
    kind: 'text',
    group: 'basic',
    help:
      'emoji-domains: a style no volunteer trains on (e.g. openmoji, noto, twemoji), or a derived domain such as noto-sketch, noto-silhouette or noto-inverted (then all five styles train); accuracy on it shows how well the model generalises.',
  },
  { key: 'rounds', label: 'Rounds', kind: 'integer', min: 1, max: 10_000, group: 'basic', help: 'How many times the server collects and averages the adapters.' },
  { key: 'minClients', label: 'Volunteers to start', kind: 'integer', min: 1, group: 'basic', help: 'Ready volunteer tabs needed before a round begins.' },
  {
    key: 'localEpochs',
    label: 'Local epochs',
    kind: 'integer',
    min: 1,
    max: 100,
    group: 'basic',
    help: 'Passes each volunteer makes over its own images per round; more is slower per round but may need fewer rounds.',
  },
  {
    key: 'roundDeadlineMs',
    label: 'Round deadline (seconds)',
    kind: 'number',
    scale: 1000,
    min: 1,
    group: 'basic',
    help: 'A round closes when every selected volunteer has reported, or at this deadline with whoever made it.',
  },
  {
    key: 'aggregation',
    label: 'Aggregation',
    kind: 'select',
    options: AGGREGATIONS,
    group: 'basic',
    help: 'fedavg weighs each adapter by its number of images; uniform weighs volunteers equally; median and trimmed-mean resist a few bad adapters.',
  },

  {
    key: 'clientFraction',
    label: 'Share asked per round',
    kind: 'number',
    min: 0,
    max: 1,
    group: 'Rounds and volunteers',
    help: 'Fraction (0 to 1) of ready volunteers selected to train in each round.',
  },
  { key: 'maxClientsPerRound', label: 'Most volunteers per round', kind: 'integer', min: 1, group: 'Rounds and volunteers', help: 'Upper bound on the volunteers selected in one round.' },
  {
    key: 'minCompletionRate',
    label: 'Quorum',
    kind: 'number',
    min: 0,
    max: 1,
    group: 'Rounds and volunteers',
    help: 'Fraction (0 to 1) of the selected volunteers that must report for a round to count; below it the round is re-run.',
  },
  { key: 'maxRoundRetries', label: 'Retries', kind: 'integer', min: 0, max: 100, group: 'Rounds and volunteers', help: 'Re-runs of a round below quorum before the run pauses.' },
  { key: 'seed', label: 'Seed', kind: 'integer', min: 0, group: 'Rounds and volunteers', help: 'Fixes client sampling and initial weights, so a run can be repeated.' },

  { key: 'batchSize', label: 'Batch size', kind: 'integer', min: 2, max: 1024, group: 'Training', help: 'Images per training step on each volunteer.' },
  {
    key: 'learningRate',
    label: 'Learning rate',
    kind: 'number',
    min: 0,
    max: 1,
    optional: true,
    serverPicks: true,
    emptyMeans: "the model's",
    group: 'Training',
    help: "Step size: Adam's for the adapters (FedCLIP uses 5e-5), plain SGD's for the student (CLIP2FL uses 0.1). Empty: the client model's.",
  },
  {
    key: 'weightDecay',
    label: 'Weight decay',
    kind: 'number',
    min: 0,
    max: 10,
    optional: true,
    serverPicks: true,
    emptyMeans: "the model's",
    group: 'Training',
    help: "Pulls the model's weights towards zero (FedCLIP uses 0.2 on the adapters, CLIP2FL none on the student). Empty: the client model's.",
  },
  {
    key: 'updateDtype',
    label: 'Weights on the wire',
    kind: 'select',
    options: ['float32', 'float16', 'int8'],
    group: 'Training',
    help: 'float16 halves the download of the global adapter, int8 quarters it, at a small loss of precision.',
  },

  {
    key: 'maxUpdateNormFactor',
    label: 'Refuse updates beyond (× adapter norm)',
    kind: 'number',
    min: 0,
    group: 'Robustness and privacy',
    help: 'An adapter that moved further from the global one than this many times the global adapter’s own norm is refused as broken or malicious.',
  },
  {
    key: 'maxUpdateNorm',
    label: 'Refuse updates beyond (L2, absolute)',
    kind: 'number',
    min: 0,
    optional: true,
    group: 'Robustness and privacy',
    help: 'An absolute bound instead of the relative one above; leave empty to scale the bound with the model.',
  },
  {
    key: 'clipUpdateNorm',
    label: 'Clip updates to (L2)',
    kind: 'number',
    min: 0,
    optional: true,
    group: 'Robustness and privacy',
    help: 'Scale each accepted change down to at most this size. Empty: off.',
  },
  {
    key: 'dp.clipNorm',
    label: 'DP clip norm',
    kind: 'number',
    min: 0,
    optional: true,
    group: 'Robustness and privacy',
    help: 'Client-level differential privacy: every change is clipped to this size… (set both DP fields, or neither).',
  },
  {
    key: 'dp.noiseMultiplier',
    label: 'DP noise multiplier',
    kind: 'number',
    min: 0,
    optional: true,
    group: 'Robustness and privacy',
    help: '…and Gaussian noise of this many clip norms is added to the average. Higher is more private and less accurate.',
  },

  {
    key: 'imbalanceFactor',
    label: 'Imbalance factor',
    kind: 'number',
    min: 1,
    group: 'Fashion-MNIST-LT data',
    help: 'How many times more training images the commonest class has than the rarest (CLIP2FL uses 10, 50 and 100).',
  },
  { key: 'headClassSize', label: 'Head class images', kind: 'integer', min: 2, max: 6000, group: 'Fashion-MNIST-LT data', help: 'Training images of the commonest class (6000 = all of them); smaller shrinks the whole set.' },
  { key: 'clientShards', label: 'Shards', kind: 'integer', min: 1, max: 1000, group: 'Fashion-MNIST-LT data', help: 'Parts the training set is split into, one per volunteer.' },
  {
    key: 'dirichletAlpha',
    label: 'Label skew (Dirichlet alpha)',
    kind: 'number',
    min: 0,
    group: 'Fashion-MNIST-LT data',
    help: 'How unevenly classes spread over the shards: smaller is more uneven (CLIP2FL uses 0.5).',
  },
  { key: 'testPerClass', label: 'Test images per class', kind: 'integer', min: 1, max: 1000, group: 'Fashion-MNIST-LT data', help: 'From the balanced test set (1000 = all).' },
  {
    key: 'dataSeed',
    label: 'Data seed',
    kind: 'integer',
    min: 0,
    optional: true,
    group: 'Fashion-MNIST-LT data',
    help: 'Fixes the long-tail sampling and the split. Empty: the run seed.',
  },

  { key: 'clip2fl.kd', label: 'Distil from zero-shot CLIP', kind: 'boolean', group: 'CLIP2FL and CReFF', help: "clip2fl: volunteers also learn from zero-shot CLIP's predictions (knowledge distillation)." },
  {
    key: 'clip2fl.pclLambda',
    label: 'Contrastive weight',
    kind: 'number',
    min: 0,
    group: 'CLIP2FL and CReFF',
    help: "clip2fl: how strongly the server pulls its federated features towards CLIP's text embeddings of their class.",
  },
  {
    key: 'clip2fl.featuresPerClass',
    label: 'Federated features per class',
    kind: 'integer',
    min: 2,
    max: 1000,
    group: 'CLIP2FL and CReFF',
    help: 'Synthetic features the server keeps for each class to re-train a class-balanced classifier.',
  },
  {
    key: 'clip2fl.matchSteps',
    label: 'Matching steps',
    kind: 'integer',
    min: 0,
    group: 'CLIP2FL and CReFF',
    help: "Server steps per round that move the federated features until their gradients match the volunteers'.",
  },
  {
    key: 'clip2fl.retrainEpochs',
    label: 'Classifier epochs',
    kind: 'integer',
    min: 1,
    group: 'CLIP2FL and CReFF',
    help: 'Epochs of training the balanced classifier on the federated features, each round.',
  },
];

export type FormValues = Record<string, string>;
export interface FieldError {
  key: string;
  message: string;
}
export type FormResult = { ok: true; config: RunConfigInput } | { ok: false; errors: FieldError[] };

function getPath(obj: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys.at(-1)!] = value;
}

/** The form's starting values: the run config's own defaults, so page and server never disagree. */
export function defaultFormValues(): FormValues {
  const defaults = runConfigSchema.parse({}) as Record<string, unknown>;
  return Object.fromEntries(
    RUN_FORM_FIELDS.map((f) => {
      // The default name follows the algorithm and dataset, and the training defaults the client model, which the
      // form may still change: the server picks them.
      if (f.key === 'name' || f.serverPicks) return [f.key, ''];
      const v = getPath(defaults, f.key);
      if (v === undefined) return [f.key, ''];
      return [f.key, typeof v === 'number' && f.scale ? String(v / f.scale) : String(v)];
    }),
  );
}

/** Reads the form into a run config, with messages tied to the field at fault. */
export function formValuesToConfig(values: FormValues): FormResult {
  const errors: FieldError[] = [];
  const config: Record<string, unknown> = {};
  for (const f of RUN_FORM_FIELDS) {
    const raw = (values[f.key] ?? '').trim();
    if (raw === '') {
      if (!f.optional) errors.push({ key: f.key, message: `${f.label} is required` });
      continue;
    }
    if (f.kind === 'text' || f.kind === 'select') {
      setPath(config, f.key, raw);
      continue;
    }
    if (f.kind === 'boolean') {
      setPath(config, f.key, raw === 'true');
      continue;
    }
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      errors.push({ key: f.key, message: `${f.label} must be a number` });
      continue;
    }
    const value = f.scale ? Math.round(n * f.scale) : n;
    if (f.kind === 'integer' && !Number.isInteger(value)) {
      errors.push({ key: f.key, message: `${f.label} must be a whole number` });
      continue;
    }
    setPath(config, f.key, value);
  }
  const dp = config.dp as Record<string, unknown> | undefined;
  if (dp && (dp.clipNorm === undefined || dp.noiseMultiplier === undefined)) {
    const missing = dp.clipNorm === undefined ? 'dp.clipNorm' : 'dp.noiseMultiplier';
    errors.push({ key: missing, message: 'Set both DP fields, or leave both empty' });
  }
  if (errors.length) return { ok: false, errors };
  const parsed = runConfigSchema.safeParse(config);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => {
        const key = i.path.join('.');
        const field = RUN_FORM_FIELDS.find((f) => f.key === key);
        return { key, message: field ? `${field.label}: ${i.message}` : i.message };
      }),
    };
  }
  return { ok: true, config: config as RunConfigInput };
}
