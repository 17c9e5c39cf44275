import { describe, expect, it } from 'vitest';
import { runConfigSchema } from './run-config';
import { isExcluded, RUN_SETTING_PATHS, RUN_SETTINGS, schemaSettingPaths, settingShape, type SettingFlag, type SettingFormField } from './run-settings';

const defaults = runConfigSchema.parse({}) as Record<string, unknown>;
const defaultOf = (path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], defaults);

describe('the run settings', () => {
  it('name every setting of the run-config schema, and nothing else', () => {
    expect([...RUN_SETTING_PATHS].sort()).toEqual(schemaSettingPaths().sort());
  });

  it('give every setting a CLI flag and a form field, or the reason it has none', () => {
    for (const path of RUN_SETTING_PATHS) {
      const { flag, form } = RUN_SETTINGS[path];
      if (isExcluded(flag)) expect(flag.excluded.length, `${path}: why no flag`).toBeGreaterThan(10);
      else expect((flag as SettingFlag).help.length, `${path}: flag help`).toBeGreaterThan(5);
      if (isExcluded(form)) expect(form.excluded.length, `${path}: why no form field`).toBeGreaterThan(10);
      else expect((form as SettingFormField).help.length, `${path}: form help`).toBeGreaterThan(20);
    }
  });

  it('use each flag name and form label once', () => {
    const flags = RUN_SETTING_PATHS.map((p) => RUN_SETTINGS[p].flag).filter((f) => !isExcluded(f)).map((f) => (f as SettingFlag).name);
    const labels = RUN_SETTING_PATHS.map((p) => RUN_SETTINGS[p].form).filter((f) => !isExcluded(f)).map((f) => (f as SettingFormField).label);
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(labels).size).toBe(labels.length);
    expect(flags).not.toContain('preset');
  });

  it('give a switch only to a yes/no setting, and a value to every other flag', () => {
    for (const path of RUN_SETTING_PATHS) {
      const flag = RUN_SETTINGS[path].flag;
      if (isExcluded(flag)) continue;
      const f = flag as SettingFlag;
      if (settingShape(path).kind === 'boolean') expect(f.arg, path).toBeUndefined();
      else expect(f.arg, path).toMatch(/^<.+>$/);
    }
  });

  it("state the schema's own default wherever the flag help gives a number as the default", () => {
    for (const path of RUN_SETTING_PATHS) {
      const flag = RUN_SETTINGS[path].flag;
      if (isExcluded(flag)) continue;
      const stated = /\(default (-?[0-9][0-9.e+-]*)/.exec((flag as SettingFlag).help)?.[1];
      if (stated !== undefined) expect(Number(stated), path).toBe(defaultOf(path));
    }
  });

  it('read kinds, options, bounds and optionality from the schema', () => {
    expect(settingShape('rounds')).toEqual({ kind: 'integer', min: 1, max: 10_000, optional: false });
    expect(settingShape('aggregation')).toMatchObject({ kind: 'select', options: ['fedavg', 'uniform', 'median', 'trimmed-mean'] });
    expect(settingShape('emojiDomains.clientDomains').kind).toBe('list');
    expect(settingShape('clip2fl.kd')).toEqual({ kind: 'boolean', optional: false });
    expect(settingShape('dp.clipNorm')).toMatchObject({ kind: 'number', optional: true });
    expect(settingShape('name')).toEqual({ kind: 'text', optional: true });
  });
});
