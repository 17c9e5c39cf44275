import { describe, expect, it } from 'vitest';
import { isExcluded, RUN_SETTING_PATHS, RUN_SETTINGS, type SettingFlag } from '@clipfed/protocol';
import { RUN_FLAGS, RUN_FLAGS_HELP, runConfigFromFlags } from './run-flags';

describe('the run flags', () => {
  const flagged = RUN_SETTING_PATHS.filter((p) => !isExcluded(RUN_SETTINGS[p].flag)).map((p) => ({ path: p, flag: RUN_SETTINGS[p].flag as SettingFlag }));

  it('are the settings that have a flag, plus --preset, each explained in --help', () => {
    expect(Object.keys(RUN_FLAGS).sort()).toEqual(['preset', ...flagged.map((f) => f.flag.name)].sort());
    for (const name of Object.keys(RUN_FLAGS)) expect(RUN_FLAGS_HELP, name).toMatch(new RegExp(`^  --${name}\\b`, 'm'));
    expect(RUN_FLAGS['no-kd']).toEqual({ type: 'boolean' });
    expect(RUN_FLAGS.rounds).toEqual({ type: 'string' });
  });

  it('set their settings over the preset: numbers, lists, switches and nested settings', () => {
    const result = runConfigFromFlags({ rounds: '3', 'client-domains': 'noto, twemoji,,', 'no-kd': true, 'pcl-lambda': '0.5', 'deadline-ms': '5000' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({ rounds: 3, roundDeadlineMs: 5000, objective: 'class-ce' });
    // The demo preset's held-out domain stays beside the flag's client domains in the same settings object.
    expect(result.config.emojiDomains).toEqual({ clientDomains: ['noto', 'twemoji'], heldOutDomain: 'openmoji' });
    expect(result.config.clip2fl).toMatchObject({ kd: false, pclLambda: 0.5 });
  });

  it('name the setting at fault', () => {
    expect(runConfigFromFlags({ rounds: 'many' })).toEqual({ ok: false, reason: expect.stringMatching(/^rounds: /) });
    expect(runConfigFromFlags({ preset: 'nope' })).toEqual({ ok: false, reason: expect.stringContaining('--preset: "nope" is not a preset') });
  });
});
