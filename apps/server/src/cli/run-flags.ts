import {
  DEFAULT_RUN_PRESET,
  isExcluded,
  parseMessage,
  RUN_PRESETS,
  RUN_SETTING_PATHS,
  RUN_SETTINGS,
  runConfigSchema,
  setSettingValue,
  settingShape,
  type RunConfig,
  type RunConfigInput,
  type RunPresetName,
  type RunSettingGroup,
  type RunSettingPath,
  type SettingFlag,
} from '@clipfed/protocol';

/** The settings with a CLI flag, in the order of `RUN_SETTINGS` (packages/protocol's run-settings.ts). */
const FLAGGED: { path: RunSettingPath; group: RunSettingGroup; flag: SettingFlag }[] = RUN_SETTING_PATHS.flatMap((path) => {
  const doc = RUN_SETTINGS[path];
  return isExcluded(doc.flag) ? [] : [{ path, group: doc.group, flag: doc.flag }];
});

/** Flags that describe a run, shared by `serve` and `simulate`: --preset, then one per setting that has one. */
export const RUN_FLAGS: Record<string, { type: 'string' | 'boolean' }> = {
  preset: { type: 'string' },
  ...Object.fromEntries(FLAGGED.map(({ path, flag }) => [flag.name, { type: settingShape(path).kind === 'boolean' ? 'boolean' : 'string' }])),
};

const PRESET_HELP = `demo (default): FedCLIP on three domains the model never saw, learning visible in
10 rounds | paper: FedCLIP's published settings, leave-one-style-out on the five styles
(the default as soon as --dataset or --algorithm is given)`;

/** `--help`'s sections: the dataset's and the algorithm's own settings come after the general ones. */
const HELP_SECTIONS: { title: string; groups?: readonly RunSettingGroup[] }[] = [
  { title: "Run settings (each flag overrides the preset's value):" },
  { title: "Fashion-MNIST-LT (--dataset fashion-mnist-lt; needs Debian's dataset-fashion-mnist):", groups: ['Fashion-MNIST-LT data'] },
  { title: 'CLIP2FL / CReFF (--algorithm clip2fl | creff):', groups: ['CLIP2FL and CReFF'] },
];

function helpLine(flag: string, help: string): string {
  const [first, ...rest] = help.split('\n');
  return [`  ${flag.padEnd(23)} ${first}`, ...rest.map((line) => `${' '.repeat(26)}${line}`)].join('\n');
}

function flagHelp(): string {
  const own = new Set(HELP_SECTIONS.flatMap((s) => s.groups ?? []));
  return HELP_SECTIONS.map((section) => {
    const flags = FLAGGED.filter((f) => (section.groups ? section.groups.includes(f.group) : !own.has(f.group)));
    const lines = flags.map(({ flag }) => helpLine(flag.arg ? `--${flag.name} ${flag.arg}` : `--${flag.name}`, flag.help));
    return [section.title, ...(section.groups ? [] : [helpLine('--preset <name>', PRESET_HELP)]), ...lines].join('\n');
  }).join('\n\n');
}

export const RUN_FLAGS_HELP = flagHelp();

/**
 * `over` on top of `base`, one level deep: a flag for one dataset or CLIP2FL setting replaces that setting and
 * keeps the preset's others in the same object (`--held-out noto` keeps the demo preset's client domains).
 */
function overlaySettings(base: RunConfigInput, over: RunConfigInput): Record<string, unknown> {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const under = out[key];
    out[key] = isObject(value) && isObject(under) ? { ...under, ...value } : value;
  }
  return out;
}

/** One flag's string (or switch) as the value of its setting: numbers and lists are read, a switch sets its value. */
function flagValue(path: RunSettingPath, flag: SettingFlag, value: string | boolean | undefined): unknown {
  if (value === undefined) return undefined;
  switch (settingShape(path).kind) {
    case 'boolean':
      return value ? (flag.sets ?? true) : undefined;
    case 'integer':
    case 'number':
      return Number(value);
    case 'list':
      return typeof value === 'string' ? value.split(',').map((d) => d.trim()).filter(Boolean) : undefined;
    default:
      return value;
  }
}

/** Turns flag strings into a validated RunConfig, or an error sentence naming the bad flag's field. */
export function runConfigFromFlags(values: Record<string, string | boolean | undefined>): { ok: true; config: RunConfig } | { ok: false; reason: string } {
  // The demo preset is a whole experiment: naming another dataset or algorithm starts from the paper's settings.
  const presetName = values.preset ?? (values.dataset !== undefined || values.algorithm !== undefined ? 'paper' : DEFAULT_RUN_PRESET);
  if (typeof presetName !== 'string' || !(presetName in RUN_PRESETS)) {
    return { ok: false, reason: `--preset: "${String(presetName)}" is not a preset; choose one of: ${Object.keys(RUN_PRESETS).join(', ')}` };
  }
  const preset: RunConfigInput = RUN_PRESETS[presetName as RunPresetName];
  const given: Record<string, unknown> = {};
  for (const { path, flag } of FLAGGED) setSettingValue(given, path, flagValue(path, flag, values[flag.name]));
  // Unset flags drop out (and a number that is not one becomes null, which the schema names).
  const flags: RunConfigInput = JSON.parse(JSON.stringify(given));
  const parsed = parseMessage(runConfigSchema, overlaySettings(preset, flags));
  return parsed.ok ? { ok: true, config: parsed.value } : { ok: false, reason: parsed.reason };
}
