import {
  isExcluded,
  RUN_SETTING_GROUPS,
  RUN_SETTING_PATHS,
  RUN_SETTINGS,
  getSettingValue,
  runConfigSchema,
  setSettingValue,
  settingShape,
  type RunConfigInput,
  type RunSettingGroup,
  type SettingFormField,
} from '@clipfed/protocol';

/** Where a setting appears: the basic ones are always shown, the groups fold under "More settings". */
export const FIELD_GROUPS = RUN_SETTING_GROUPS;
export type FieldGroup = RunSettingGroup;

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
  group: FieldGroup;
}

/**
 * The form's fields, generated: label, help and group from packages/protocol's `RUN_SETTINGS`, and how each is
 * entered (kind, options, bounds, whether it may stay empty) from the run-config schema itself.
 */
export const RUN_FORM_FIELDS: readonly FieldSpec[] = RUN_SETTING_PATHS.flatMap((key): FieldSpec[] => {
  const doc = RUN_SETTINGS[key];
  if (isExcluded(doc.form)) return [];
  const form = doc.form as SettingFormField;
  const shape = settingShape(key);
  if (shape.kind === 'list') throw new Error(`run setting ${key}: the form has no list fields`);
  const scale = form.scale;
  // A scaled setting is entered in larger units with decimals (90.5 s), and rounded to a whole number once scaled.
  const kind = shape.kind === 'integer' && scale ? 'number' : shape.kind;
  return [
    {
      key,
      label: form.label,
      kind,
      ...(shape.options ? { options: shape.options } : {}),
      ...(scale ? { scale } : {}),
      ...(shape.min !== undefined ? { min: scale ? shape.min / scale : shape.min } : {}),
      ...(shape.max !== undefined ? { max: scale ? shape.max / scale : shape.max } : {}),
      ...(shape.optional ? { optional: true } : {}),
      ...(form.emptyMeans ? { emptyMeans: form.emptyMeans } : {}),
      group: doc.group,
      help: form.help,
    },
  ];
});

export type FormValues = Record<string, string>;
export interface FieldError {
  key: string;
  message: string;
}
export type FormResult = { ok: true; config: RunConfigInput } | { ok: false; errors: FieldError[] };

/** The form's starting values: the run config's own defaults, so page and server never disagree. */
export function defaultFormValues(): FormValues {
  const defaults = runConfigSchema.parse({}) as Record<string, unknown>;
  return Object.fromEntries(
    RUN_FORM_FIELDS.map((f) => {
      // A setting with no schema default (the name, the learning rate, the weight decay) gets its value from the
      // others, which the form may still change: the server picks it.
      if (f.optional) return [f.key, ''];
      const v = getSettingValue(defaults, f.key);
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
      setSettingValue(config, f.key, raw);
      continue;
    }
    if (f.kind === 'boolean') {
      setSettingValue(config, f.key, raw === 'true');
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
    setSettingValue(config, f.key, value);
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
  return { ok: true, config: config };
}
