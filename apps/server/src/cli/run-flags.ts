import { parseMessage, runConfigSchema, type RunConfig, type RunConfigInput } from '@clipfed/protocol';

/** Flags that describe a run, shared by `serve` and `simulate`. */
export const RUN_FLAGS = {
  dataset: { type: 'string' },
  'held-out': { type: 'string' },
  algorithm: { type: 'string' },
  rounds: { type: 'string' },
  'min-clients': { type: 'string' },
  'max-clients': { type: 'string' },
  fraction: { type: 'string' },
  'local-epochs': { type: 'string' },
  lr: { type: 'string' },
  'deadline-ms': { type: 'string' },
  aggregation: { type: 'string' },
  'update-dtype': { type: 'string' },
  seed: { type: 'string' },
} as const;

export const RUN_FLAGS_HELP = `Run settings:
  --dataset <name>        emoji-domains (default)
  --held-out <style>      EmojiDomains style held out for evaluation (default openmoji)
  --algorithm <name>      fedclip (default) | zero-shot
  --rounds <n>            rounds (default 10)
  --min-clients <n>       clients needed before a round starts (default 2)
  --max-clients <n>       at most this many clients per round (default 1000)
  --fraction <x>          fraction of ready clients sampled per round (default 1)
  --local-epochs <n>      local epochs per round (default 1)
  --lr <x>                adapter learning rate (default 5e-5)
  --deadline-ms <n>       round deadline in ms (default 120000)
  --aggregation <mode>    fedavg (default) | uniform | median | trimmed-mean
  --update-dtype <t>      float32 (default) | float16 | int8 for adapter transfers
  --seed <n>              seed (default 0)`;

/** Turns flag strings into a validated RunConfig, or an error sentence naming the bad flag's field. */
export function runConfigFromFlags(values: Record<string, string | boolean | undefined>): { ok: true; config: RunConfig } | { ok: false; reason: string } {
  const num = (k: string) => (values[k] === undefined ? undefined : Number(values[k]));
  const input: RunConfigInput = JSON.parse(
    JSON.stringify({
      dataset: values.dataset,
      heldOutDomain: values['held-out'],
      algorithm: values.algorithm,
      rounds: num('rounds'),
      minClients: num('min-clients'),
      maxClientsPerRound: num('max-clients'),
      clientFraction: num('fraction'),
      localEpochs: num('local-epochs'),
      learningRate: num('lr'),
      roundDeadlineMs: num('deadline-ms'),
      aggregation: values.aggregation,
      updateDtype: values['update-dtype'],
      seed: num('seed'),
    }),
  );
  const parsed = parseMessage(runConfigSchema, input);
  return parsed.ok ? { ok: true, config: parsed.value } : { ok: false, reason: parsed.reason };
}
