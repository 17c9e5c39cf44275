import type { z } from 'zod';
import { runConfigFieldsSchema, type RunConfigInput } from './run-config';

/**
 * What each run setting is called outside the schema: its CLI flag and `--help` text (apps/server's run-flags.ts)
 * and its field in the dashboard's create-run form (apps/web's run-form-fields.ts), or why it has none. The
 * schema (run-config.ts) stays the one definition of names, types, bounds and defaults; the flags and the form take
 * those from it, and `RUN_SETTINGS` must name every setting of the schema (a missing or unknown one does not compile).
 */

/** Where a setting appears: the basic ones are always shown, the groups fold under "More settings" (and `--help` sections). */
export const RUN_SETTING_GROUPS = ['basic', 'Rounds and volunteers', 'Training', 'Robustness and privacy', 'Fashion-MNIST-LT data', 'CLIP2FL and CReFF'] as const;
export type RunSettingGroup = (typeof RUN_SETTING_GROUPS)[number];

type Leaf<T> = NonNullable<T> extends readonly unknown[] ? true : NonNullable<T> extends Record<string, unknown> ? false : true;

/** Every setting's path in a run config: its top-level keys, and one level into nested objects ('clip2fl.kd', 'dp.clipNorm'). */
export type RunSettingPath = {
  [K in keyof RunConfigInput & string]-?: Leaf<RunConfigInput[K]> extends true ? K : `${K}.${keyof NonNullable<RunConfigInput[K]> & string}`;
}[keyof RunConfigInput & string];

/** A setting left out of the CLI or the form, and why. */
export interface Excluded {
  excluded: string;
}

export interface SettingFlag {
  /** The flag without its dashes ('held-out'). */
  name: string;
  /** Its value in `--help` ('<domain>'); none for a switch. */
  arg?: string;
  /** A switch sets the setting to this value ('--no-kd' sets `clip2fl.kd` to false). */
  sets?: boolean;
  /** The `--help` text; a line break continues it on the next line, under the first. */
  help: string;
}

export interface SettingFormField {
  label: string;
  /** The one-line explanation shown under the field. */
  help: string;
  /** The form shows config value / scale (the deadline is entered in seconds, stored in ms). */
  scale?: number;
  /** What an empty optional field means, shown in it (default "off"). */
  emptyMeans?: string;
}

export interface RunSettingDoc {
  group: RunSettingGroup;
  flag: SettingFlag | Excluded;
  form: SettingFormField | Excluded;
}

const NAMED_BY_CLI = 'a run the CLI starts is named after its algorithm and dataset; the HTTP API and the dashboard name runs';
const FORM_AND_API = 'set through the dashboard or the HTTP API';
const API_ONLY = 'an operator setting of the HTTP API (its default suits the CLI and the dashboard)';
const REFERENCE_DEFAULT = "the CLIP2FL reference code's value; set through the HTTP API";

/** Every run setting, in the order of the form and of `--help`. */
export const RUN_SETTINGS = {
  name: {
    group: 'basic',
    flag: { excluded: NAMED_BY_CLI },
    form: { label: 'Name', emptyMeans: 'algorithm-dataset', help: 'Shown in the run list and in exported files. Left empty, the run is named after its algorithm and dataset (e.g. clip2fl-fashion-mnist-lt).' },
  },
  algorithm: {
    group: 'basic',
    flag: { name: 'algorithm', arg: '<name>', help: 'fedclip (default) | zero-shot | local | centralised | creff | clip2fl' },
    form: { label: 'Algorithm', help: 'fedclip averages the attention adapter; clip2fl adds a server step for long-tailed data (creff: the same without the contrastive loss); zero-shot measures CLIP as it is. The server says if it cannot run one.' },
  },
  dataset: {
    group: 'basic',
    flag: { name: 'dataset', arg: '<name>', help: 'emoji-domains (default) | fashion-mnist-lt' },
    form: { label: 'Dataset', help: 'emoji-domains: one art style per volunteer; fashion-mnist-lt: long-tailed Fashion-MNIST split across volunteers.' },
  },
  'emojiDomains.heldOutDomain': {
    group: 'basic',
    flag: { name: 'held-out', arg: '<domain>', help: 'EmojiDomains style held out for evaluation (default openmoji), or a derived\ndomain <style>-sketch | <style>-silhouette | <style>-inverted (the five styles then train)' },
    form: { label: 'Held-out style', help: 'emoji-domains: a style no volunteer trains on (e.g. openmoji, noto, twemoji), or a derived domain such as noto-sketch, noto-silhouette or noto-inverted (then all five styles train); accuracy on it shows how well the model generalises.' },
  },
  'emojiDomains.clientDomains': {
    group: 'basic',
    flag: { name: 'client-domains', arg: '<list>', help: 'EmojiDomains domains the clients hold, comma-separated, one shard each (styles or\nderived domains; default every style but the held-out one)' },
    form: { excluded: 'a list of domains: the dashboard runs leave-one-style-out on the held-out style; the CLI and the HTTP API choose domains' },
  },
  rounds: {
    group: 'basic',
    flag: { name: 'rounds', arg: '<n>', help: 'rounds (default 10)' },
    form: { label: 'Rounds', help: 'How many times the server collects and averages the adapters.' },
  },
  minClients: {
    group: 'basic',
    flag: { name: 'min-clients', arg: '<n>', help: 'clients needed before a round starts (default 2)' },
    form: { label: 'Volunteers to start', help: 'Ready volunteer tabs needed before a round begins.' },
  },
  localEpochs: {
    group: 'basic',
    flag: { name: 'local-epochs', arg: '<n>', help: 'local epochs per round (default 1)' },
    form: { label: 'Local epochs', help: 'Passes each volunteer makes over its own images per round; more is slower per round but may need fewer rounds.' },
  },
  roundDeadlineMs: {
    group: 'basic',
    flag: { name: 'deadline-ms', arg: '<n>', help: 'round deadline in ms (default 120000)' },
    form: { label: 'Round deadline (seconds)', scale: 1000, help: 'A round closes when every selected volunteer has reported, or at this deadline with whoever made it.' },
  },
  aggregation: {
    group: 'basic',
    flag: { name: 'aggregation', arg: '<mode>', help: 'fedavg (default) | uniform | median | trimmed-mean' },
    form: { label: 'Aggregation', help: 'fedavg weighs each adapter by its number of images; uniform weighs volunteers equally; median and trimmed-mean resist a few bad adapters.' },
  },
  clientFraction: {
    group: 'Rounds and volunteers',
    flag: { name: 'fraction', arg: '<x>', help: 'fraction of ready clients sampled per round (default 1)' },
    form: { label: 'Share asked per round', help: 'Fraction (0 to 1) of ready volunteers selected to train in each round.' },
  },
  maxClientsPerRound: {
    group: 'Rounds and volunteers',
    flag: { name: 'max-clients', arg: '<n>', help: 'at most this many clients per round (default 1000)' },
    form: { label: 'Most volunteers per round', help: 'Upper bound on the volunteers selected in one round.' },
  },
  minCompletionRate: {
    group: 'Rounds and volunteers',
    flag: { excluded: FORM_AND_API },
    form: { label: 'Quorum', help: 'Fraction (0 to 1) of the selected volunteers that must report for a round to count; below it the round is re-run.' },
  },
  maxRoundRetries: {
    group: 'Rounds and volunteers',
    flag: { excluded: FORM_AND_API },
    form: { label: 'Retries', help: 'Re-runs of a round below quorum before the run pauses.' },
  },
  sessionGraceMs: {
    group: 'Rounds and volunteers',
    flag: { excluded: API_ONLY },
    form: { excluded: API_ONLY },
  },
  seed: {
    group: 'Rounds and volunteers',
    flag: { name: 'seed', arg: '<n>', help: 'seed (default 0)' },
    form: { label: 'Seed', help: 'Fixes client sampling and initial weights, so a run can be repeated.' },
  },
  maxImagesPerClient: {
    group: 'Rounds and volunteers',
    flag: { name: 'max-images', arg: '<n>', help: "at most this many images in each client's shard (default: the whole shard)" },
    form: { excluded: 'a cap for quick demos and tests on slow devices, set by the CLI or the HTTP API' },
  },
  clientModel: {
    group: 'Training',
    flag: {
      name: 'client-model',
      arg: '<name>',
      help: "fedclip-adapter (default): FedCLIP's attention adapter | clip-adapter: CLIP-Adapter's\nresidual bottleneck MLP (Gao et al. 2021) | student-resnet8: CLIP2FL's ResNet-8 student on\nthe images' pixels, with its own classifier (the FedAvg head)",
    },
    form: {
      label: 'Client model',
      help: "What volunteers train: fedclip-adapter (FedCLIP's attention adapter) or clip-adapter on CLIP's image features, or student-resnet8, CLIP2FL's small ResNet on the images themselves (with fedclip it is plain FedAvg).",
    },
  },
  objective: {
    group: 'Training',
    flag: { name: 'objective', arg: '<o>', help: "clip (FedCLIP's in-batch loss, default) | class-ce (image vs all class prompts)" },
    form: { excluded: 'the dashboard trains with the default objective; the CLI and the HTTP API choose it' },
  },
  batchSize: {
    group: 'Training',
    flag: { excluded: FORM_AND_API },
    form: { label: 'Batch size', help: 'Images per training step on each volunteer.' },
  },
  learningRate: {
    group: 'Training',
    flag: { name: 'lr', arg: '<x>', help: "learning rate (default: the client model's; Adam 5e-5 for the adapters as FedCLIP,\nplain SGD 0.1 for the student as CLIP2FL)" },
    form: {
      label: 'Learning rate',
      emptyMeans: "the model's",
      help: "Step size: Adam's for the adapters (FedCLIP uses 5e-5), plain SGD's for the student (CLIP2FL uses 0.1). Empty: the client model's.",
    },
  },
  weightDecay: {
    group: 'Training',
    flag: { name: 'weight-decay', arg: '<x>', help: 'coupled weight decay (default: 0.2 for the adapters as FedCLIP, 0 for the student)' },
    form: {
      label: 'Weight decay',
      emptyMeans: "the model's",
      help: "Pulls the weights towards zero (FedCLIP uses 0.2 for its adapter, CLIP2FL 0 for its student). Empty: the client model's.",
    },
  },
  updateDtype: {
    group: 'Training',
    flag: { name: 'update-dtype', arg: '<t>', help: 'float16 (default) | float32 | int8 for adapter transfers' },
    form: { label: 'Weights on the wire', help: 'float16 halves the download of the global adapter, int8 quarters it, at a small loss of precision.' },
  },
  maxUpdateNormFactor: {
    group: 'Robustness and privacy',
    flag: { excluded: FORM_AND_API },
    form: { label: 'Refuse updates beyond (× adapter norm)', help: 'An adapter that moved further from the global one than this many times the global adapter’s own norm is refused as broken or malicious.' },
  },
  maxUpdateNorm: {
    group: 'Robustness and privacy',
    flag: { excluded: FORM_AND_API },
    form: { label: 'Refuse updates beyond (L2, absolute)', help: 'An absolute bound instead of the relative one above; leave empty to scale the bound with the model.' },
  },
  clipUpdateNorm: {
    group: 'Robustness and privacy',
    flag: { excluded: FORM_AND_API },
    form: { label: 'Clip updates to (L2)', help: 'Scale each accepted change down to at most this size. Empty: off.' },
  },
  maxOwnImagesWeight: {
    group: 'Robustness and privacy',
    flag: { excluded: API_ONLY },
    form: { excluded: API_ONLY },
  },
  maxClientShare: {
    group: 'Robustness and privacy',
    flag: { excluded: API_ONLY },
    form: { excluded: API_ONLY },
  },
  'dp.clipNorm': {
    group: 'Robustness and privacy',
    flag: { excluded: FORM_AND_API },
    form: { label: 'DP clip norm', help: 'Client-level differential privacy: every change is clipped to this size… (set both DP fields, or neither).' },
  },
  'dp.noiseMultiplier': {
    group: 'Robustness and privacy',
    flag: { excluded: FORM_AND_API },
    form: { label: 'DP noise multiplier', help: '…and Gaussian noise of this many clip norms is added to the average. Higher is more private and less accurate.' },
  },
  'dp.delta': {
    group: 'Robustness and privacy',
    flag: { excluded: API_ONLY },
    form: { excluded: API_ONLY },
  },
  'dp.sampleRate': {
    group: 'Robustness and privacy',
    flag: { excluded: API_ONLY },
    form: { excluded: API_ONLY },
  },
  'fashionMnistLt.imbalanceFactor': {
    group: 'Fashion-MNIST-LT data',
    flag: { name: 'imbalance-factor', arg: '<x>', help: 'head/tail ratio of the long tail (default 100; CLIP2FL uses 10, 50, 100)' },
    form: { label: 'Imbalance factor', help: 'How many times more training images the commonest class has than the rarest (CLIP2FL uses 10, 50 and 100).' },
  },
  'fashionMnistLt.headClassSize': {
    group: 'Fashion-MNIST-LT data',
    flag: { name: 'head-class-size', arg: '<n>', help: 'training images of the head class (default 6000 = all)' },
    form: { label: 'Head class images', help: 'Training images of the commonest class (6000 = all of them); smaller shrinks the whole set.' },
  },
  'fashionMnistLt.clientShards': {
    group: 'Fashion-MNIST-LT data',
    flag: { name: 'client-shards', arg: '<n>', help: 'client shards, one per client (default 20)' },
    form: { label: 'Shards', help: 'Parts the training set is split into, one per volunteer.' },
  },
  'fashionMnistLt.dirichletAlpha': {
    group: 'Fashion-MNIST-LT data',
    flag: { name: 'dirichlet-alpha', arg: '<x>', help: 'label skew of the partition (default 0.5)' },
    form: { label: 'Label skew (Dirichlet alpha)', help: 'How unevenly classes spread over the shards: smaller is more uneven (CLIP2FL uses 0.5).' },
  },
  'fashionMnistLt.testPerClass': {
    group: 'Fashion-MNIST-LT data',
    flag: { name: 'test-per-class', arg: '<n>', help: 'balanced test images per class (default 1000 = all 10,000)' },
    form: { label: 'Test images per class', help: 'From the balanced test set (1000 = all).' },
  },
  'fashionMnistLt.dataSeed': {
    group: 'Fashion-MNIST-LT data',
    flag: { name: 'data-seed', arg: '<n>', help: 'seed of the long tail and partition (default: --seed)' },
    form: { label: 'Data seed', help: 'Fixes the long-tail sampling and the split. Empty: the run seed.' },
  },
  'clip2fl.kd': {
    group: 'CLIP2FL and CReFF',
    flag: { name: 'no-kd', sets: false, help: 'CLIP2FL without distillation from zero-shot CLIP' },
    form: { label: 'Distil from zero-shot CLIP', help: "clip2fl: volunteers also learn from zero-shot CLIP's predictions (knowledge distillation)." },
  },
  'clip2fl.kdAlpha': {
    group: 'CLIP2FL and CReFF',
    flag: { excluded: API_ONLY },
    form: { excluded: REFERENCE_DEFAULT },
  },
  'clip2fl.kdTemperature': {
    group: 'CLIP2FL and CReFF',
    flag: { excluded: API_ONLY },
    form: { excluded: REFERENCE_DEFAULT },
  },
  'clip2fl.pclLambda': {
    group: 'CLIP2FL and CReFF',
    flag: { name: 'pcl-lambda', arg: '<x>', help: 'weight of the prototype contrastive loss (default 0.001; creff: 0)' },
    form: { label: 'Contrastive weight', help: "clip2fl: how strongly the server pulls its federated features towards CLIP's text embeddings of their class." },
  },
  'clip2fl.featuresPerClass': {
    group: 'CLIP2FL and CReFF',
    flag: { name: 'features-per-class', arg: '<n>', help: 'federated features per class (default 100)' },
    form: { label: 'Federated features per class', help: 'Synthetic features the server keeps for each class to re-train a class-balanced classifier.' },
  },
  'clip2fl.matchSteps': {
    group: 'CLIP2FL and CReFF',
    flag: { name: 'match-steps', arg: '<n>', help: 'gradient-matching steps per round (default 100)' },
    form: { label: 'Matching steps', help: "Server steps per round that move the federated features until their gradients match the volunteers'." },
  },
  'clip2fl.featureLr': {
    group: 'CLIP2FL and CReFF',
    flag: { name: 'feature-lr', arg: '<x>', help: 'SGD learning rate of the federated features (default 0.1)' },
    form: { excluded: 'a learning rate of the server step, set by the CLI or the HTTP API' },
  },
  'clip2fl.bankInitStd': {
    group: 'CLIP2FL and CReFF',
    flag: { excluded: API_ONLY },
    form: { excluded: REFERENCE_DEFAULT },
  },
  'clip2fl.retrainEpochs': {
    group: 'CLIP2FL and CReFF',
    flag: { name: 'retrain-epochs', arg: '<n>', help: 're-training epochs of the balanced classifier per round (default 300)' },
    form: { label: 'Classifier epochs', help: 'Epochs of training the balanced classifier on the federated features, each round.' },
  },
  'clip2fl.retrainLr': {
    group: 'CLIP2FL and CReFF',
    flag: { name: 'retrain-lr', arg: '<x>', help: 'its SGD learning rate (default 0.01)' },
    form: { excluded: 'a learning rate of the server step, set by the CLI or the HTTP API' },
  },
  'clip2fl.retrainBatchSize': {
    group: 'CLIP2FL and CReFF',
    flag: { excluded: API_ONLY },
    form: { excluded: REFERENCE_DEFAULT },
  },
  'clip2fl.gradientBatchSize': {
    group: 'CLIP2FL and CReFF',
    flag: { excluded: API_ONLY },
    form: { excluded: REFERENCE_DEFAULT },
  },
  'clip2fl.gradientRepeats': {
    group: 'CLIP2FL and CReFF',
    flag: { excluded: API_ONLY },
    form: { excluded: REFERENCE_DEFAULT },
  },
} as const satisfies { [P in RunSettingPath]: RunSettingDoc };

export function isExcluded(x: object): x is Excluded {
  return 'excluded' in x;
}

/** What the schema says of a setting: how it is entered, its bounds, and whether it may be left unset. */
export interface SettingShape {
  kind: 'text' | 'select' | 'boolean' | 'integer' | 'number' | 'list';
  options?: readonly string[];
  min?: number;
  max?: number;
  /** No value means "not set" (the feature is off, or the server picks): optional, or inside an optional object. */
  optional: boolean;
}

type AnySchema = z.ZodType & { def: { type: string; innerType?: AnySchema; shape?: Record<string, AnySchema> } };

function unwrap(schema: AnySchema): { inner: AnySchema; optional: boolean } {
  let inner = schema;
  let optional = false;
  let defaulted = false;
  for (;;) {
    const type = inner.def.type;
    if (type === 'optional') optional = true;
    else if (type === 'default' || type === 'prefault') defaulted = true;
    else break;
    inner = inner.def.innerType!;
  }
  return { inner, optional: optional && !defaulted };
}

/** The schema's own fields, before its refinements and the default name. */
function runConfigShape(): Record<string, AnySchema> {
  return (runConfigFieldsSchema.in as unknown as AnySchema).def.shape!;
}

/** Every setting path the schema has at run time (what `RunSettingPath` names at compile time). */
export function schemaSettingPaths(): string[] {
  return Object.entries(runConfigShape()).flatMap(([key, schema]) => {
    const { inner } = unwrap(schema);
    return inner.def.type === 'object' ? Object.keys(inner.def.shape!).map((sub) => `${key}.${sub}`) : [key];
  });
}

/** Reads a setting's kind, options, bounds and optionality from the run-config schema. */
export function settingShape(path: RunSettingPath): SettingShape {
  const [key, sub] = path.split('.');
  let { inner, optional } = unwrap(runConfigShape()[key]);
  if (sub !== undefined) {
    const nested = unwrap(inner.def.shape![sub]);
    inner = nested.inner;
    optional ||= nested.optional;
  }
  const s = inner as AnySchema & { options?: readonly string[]; isInt?: boolean; minValue?: number | null; maxValue?: number | null };
  switch (s.def.type) {
    case 'enum':
      return { kind: 'select', options: s.options, optional };
    case 'boolean':
      return { kind: 'boolean', optional };
    case 'array':
      return { kind: 'list', optional };
    case 'number': {
      const bound = (x: number | null | undefined) => (typeof x === 'number' && Math.abs(x) < Number.MAX_SAFE_INTEGER ? x : undefined);
      const min = bound(s.minValue);
      const max = bound(s.maxValue);
      return { kind: s.isInt ? 'integer' : 'number', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), optional };
    }
    default:
      return { kind: 'text', optional };
  }
}

/** The settings in order, with their paths typed. */
export const RUN_SETTING_PATHS = Object.keys(RUN_SETTINGS) as RunSettingPath[];

/** A setting's value in a (partial) run config, by its path ('clip2fl.kd'); undefined where the config lacks it. */
export function getSettingValue(config: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), config);
}

/** Sets a setting by its path in a run config being built, creating the nested object it lives in. */
export function setSettingValue(config: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = config;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys.at(-1)!] = value;
}
