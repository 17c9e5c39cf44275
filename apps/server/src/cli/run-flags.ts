import { DEFAULT_RUN_PRESET, parseMessage, RUN_PRESETS, runConfigSchema, type RunConfig, type RunConfigInput, type RunPresetName } from '@clipfed/protocol';

/** Flags that describe a run, shared by `serve` and `simulate`. */
export const RUN_FLAGS = {
  preset: { type: 'string' },
  dataset: { type: 'string' },
  'held-out': { type: 'string' },
  'client-domains': { type: 'string' },
  'client-model': { type: 'string' },
  algorithm: { type: 'string' },
  rounds: { type: 'string' },
  'min-clients': { type: 'string' },
  'max-clients': { type: 'string' },
  fraction: { type: 'string' },
  'local-epochs': { type: 'string' },
  'max-images': { type: 'string' },
  lr: { type: 'string' },
  'weight-decay': { type: 'string' },
  objective: { type: 'string' },
  'deadline-ms': { type: 'string' },
  aggregation: { type: 'string' },
  'update-dtype': { type: 'string' },
  seed: { type: 'string' },
  'imbalance-factor': { type: 'string' },
  'head-class-size': { type: 'string' },
  'client-shards': { type: 'string' },
  'dirichlet-alpha': { type: 'string' },
  'test-per-class': { type: 'string' },
  'data-seed': { type: 'string' },
  'no-kd': { type: 'boolean' },
  'pcl-lambda': { type: 'string' },
  'features-per-class': { type: 'string' },
  'match-steps': { type: 'string' },
  'feature-lr': { type: 'string' },
  'retrain-epochs': { type: 'string' },
  'retrain-lr': { type: 'string' },
} as const;

export const RUN_FLAGS_HELP = `Run settings (each flag overrides the preset's value):
  --preset <name>         demo (default): FedCLIP on three domains the model never saw, learning visible in
                          10 rounds | paper: FedCLIP's published settings, leave-one-style-out on the five styles
                          (the default as soon as --dataset or --algorithm is given)
  --dataset <name>        emoji-domains (default) | fashion-mnist-lt
  --held-out <domain>     EmojiDomains style held out for evaluation (default openmoji), or a derived
                          domain <style>-sketch | <style>-silhouette | <style>-inverted (the five styles then train)
  --client-domains <list> EmojiDomains domains the clients hold, comma-separated, one shard each (styles or
                          derived domains; default every style but the held-out one)
  --client-model <name>   fedclip-adapter (default): FedCLIP's attention adapter | clip-adapter: CLIP-Adapter's
                          residual bottleneck MLP (Gao et al. 2021) | student-resnet8: CLIP2FL's ResNet-8 student on
                          the images' pixels, with its own classifier (the FedAvg head)
  --algorithm <name>      fedclip (default; FedAvg on a client model other than FedCLIP's adapter) | zero-shot |
                          local | centralised | creff | clip2fl
  --rounds <n>            rounds (default 10)
  --min-clients <n>       clients needed before a round starts (default 2)
  --max-clients <n>       at most this many clients per round (default 1000)
  --fraction <x>          fraction of ready clients sampled per round (default 1)
  --local-epochs <n>      local epochs per round (default 1)
  --lr <x>                learning rate (default: the client model's; Adam 5e-5 for the adapters as FedCLIP,
                          plain SGD 0.1 for the student as CLIP2FL)
  --weight-decay <x>      coupled weight decay (default: 0.2 for the adapters as FedCLIP, 0 for the student)
  --max-images <n>        at most this many images in each client's shard (default: the whole shard)
  --objective <o>         clip (FedCLIP's in-batch loss, default) | class-ce (image vs all class prompts)
  --deadline-ms <n>       round deadline in ms (default 120000)
  --aggregation <mode>    fedavg (default) | uniform | median | trimmed-mean
  --update-dtype <t>      float16 (default) | float32 | int8 for adapter transfers
  --seed <n>              seed (default 0)

Fashion-MNIST-LT (--dataset fashion-mnist-lt; needs Debian's dataset-fashion-mnist):
  --imbalance-factor <x>  head/tail ratio of the long tail (default 100; CLIP2FL uses 10, 50, 100)
  --head-class-size <n>   training images of the head class (default 6000 = all)
  --client-shards <n>     client shards, one per client (default 20)
  --dirichlet-alpha <x>   label skew of the partition (default 0.5)
  --test-per-class <n>    balanced test images per class (default 1000 = all 10,000)
  --data-seed <n>         seed of the long tail and partition (default: --seed)

CLIP2FL / CReFF (--algorithm clip2fl | creff):
  --no-kd                 CLIP2FL without distillation from zero-shot CLIP
  --pcl-lambda <x>        weight of the prototype contrastive loss (default 0.001; creff: 0)
  --features-per-class <n> federated features per class (default 100)
  --match-steps <n>       gradient-matching steps per round (default 100)
  --feature-lr <x>        SGD learning rate of the federated features (default 0.1)
  --retrain-epochs <n>    re-training epochs of the balanced classifier per round (default 300)
  --retrain-lr <x>        its SGD learning rate (default 0.01)`;

/** Turns flag strings into a validated RunConfig, or an error sentence naming the bad flag's field. */
export function runConfigFromFlags(values: Record<string, string | boolean | undefined>): { ok: true; config: RunConfig } | { ok: false; reason: string } {
  const num = (k: string) => (values[k] === undefined ? undefined : Number(values[k]));
  const list = (k: string) => (typeof values[k] === 'string' ? values[k].split(',').map((d) => d.trim()).filter(Boolean) : undefined);
  // The demo preset is a whole experiment: naming another dataset or algorithm starts from the paper's settings.
  const presetName = values.preset ?? (values.dataset !== undefined || values.algorithm !== undefined ? 'paper' : DEFAULT_RUN_PRESET);
  if (typeof presetName !== 'string' || !(presetName in RUN_PRESETS)) {
    return { ok: false, reason: `--preset: "${String(presetName)}" is not a preset; choose one of: ${Object.keys(RUN_PRESETS).join(', ')}` };
  }
  const preset: RunConfigInput = RUN_PRESETS[presetName as RunPresetName];
  const flags: RunConfigInput = JSON.parse(
    JSON.stringify({
      dataset: values.dataset,
      heldOutDomain: values['held-out'],
      clientDomains: list('client-domains'),
      clientModel: values['client-model'],
      algorithm: values.algorithm,
      rounds: num('rounds'),
      minClients: num('min-clients'),
      maxClientsPerRound: num('max-clients'),
      clientFraction: num('fraction'),
      localEpochs: num('local-epochs'),
      maxImagesPerClient: num('max-images'),
      learningRate: num('lr'),
      weightDecay: num('weight-decay'),
      objective: values.objective,
      roundDeadlineMs: num('deadline-ms'),
      aggregation: values.aggregation,
      updateDtype: values['update-dtype'],
      seed: num('seed'),
      imbalanceFactor: num('imbalance-factor'),
      headClassSize: num('head-class-size'),
      clientShards: num('client-shards'),
      dirichletAlpha: num('dirichlet-alpha'),
      testPerClass: num('test-per-class'),
      dataSeed: num('data-seed'),
      clip2fl: {
        kd: values['no-kd'] ? false : undefined,
        pclLambda: num('pcl-lambda'),
        featuresPerClass: num('features-per-class'),
        matchSteps: num('match-steps'),
        featureLr: num('feature-lr'),
        retrainEpochs: num('retrain-epochs'),
        retrainLr: num('retrain-lr'),
      },
    }),
  );
  const parsed = parseMessage(runConfigSchema, { ...preset, ...flags });
  return parsed.ok ? { ok: true, config: parsed.value } : { ok: false, reason: parsed.reason };
}
