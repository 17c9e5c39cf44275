import { describe, expect, it } from 'vitest';
import { isExcluded, RUN_SETTING_PATHS, RUN_SETTINGS, runConfigSchema, settingShape } from '@clipfed/protocol';
import { defaultFormValues, formValuesToConfig, RUN_FORM_FIELDS } from './run-form-fields';

describe('the create-run form', () => {
  it('starts from the run config defaults, with the deadline in seconds', () => {
    const values = defaultFormValues();
    expect(values.rounds).toBe('10');
    expect(values.algorithm).toBe('fedclip');
    expect(values.roundDeadlineMs).toBe('120');
    expect(values.clipUpdateNorm).toBe('');
    expect(values['clip2fl.kd']).toBe('true');
    expect(values.clientModel).toBe('fedclip-adapter');
  });

  it("leaves the learning rate and weight decay to the client model unless set: 0.1 and none for CLIP2FL's student", () => {
    expect([defaultFormValues().learningRate, defaultFormValues().weightDecay]).toEqual(['', '']);
    const result = formValuesToConfig({ ...defaultFormValues(), clientModel: 'student-resnet8', algorithm: 'clip2fl', dataset: 'fashion-mnist-lt' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(runConfigSchema.parse(result.config)).toMatchObject({ learningRate: 0.1, weightDecay: 0, name: 'clip2fl-student-resnet8-fashion-mnist-lt' });
  });

  it('turns its defaults into the same config the server would use for an empty body', () => {
    const result = formValuesToConfig(defaultFormValues());
    expect(result.ok).toBe(true);
    if (result.ok) expect(runConfigSchema.parse(result.config)).toEqual(runConfigSchema.parse({}));
  });

  it('leaves the name to the server, which names a clip2fl run after clip2fl', () => {
    expect(defaultFormValues().name).toBe('');
    const result = formValuesToConfig({ ...defaultFormValues(), algorithm: 'clip2fl', dataset: 'fashion-mnist-lt' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(runConfigSchema.parse(result.config).name).toBe('clip2fl-fashion-mnist-lt');
  });

  it('reads numbers, converts the deadline to milliseconds and leaves empty optional settings out', () => {
    const result = formValuesToConfig({ ...defaultFormValues(), rounds: '2', localEpochs: ' 1 ', roundDeadlineMs: '90.5', learningRate: '1e-3' });
    expect(result).toMatchObject({ ok: true, config: { rounds: 2, localEpochs: 1, roundDeadlineMs: 90_500, learningRate: 0.001 } });
    if (result.ok) {
      expect(result.config).not.toHaveProperty('dp');
      expect(result.config).not.toHaveProperty('clipUpdateNorm');
    }
  });

  it('names the field at fault', () => {
    const result = formValuesToConfig({ ...defaultFormValues(), rounds: '2.5', minClients: 'many' });
    expect(result).toEqual({
      ok: false,
      errors: [
        { key: 'rounds', message: 'Rounds must be a whole number' },
        { key: 'minClients', message: 'Volunteers to start must be a number' },
      ],
    });
  });

  it('reports range errors from the run config schema against the right field', () => {
    const result = formValuesToConfig({ ...defaultFormValues(), minClients: '5', maxClientsPerRound: '2' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.key)).toEqual(['maxClientsPerRound']);
  });

  it('needs both differential-privacy settings or neither', () => {
    const half = formValuesToConfig({ ...defaultFormValues(), 'dp.clipNorm': '1' });
    expect(half).toEqual({ ok: false, errors: [{ key: 'dp.noiseMultiplier', message: 'Set both DP fields, or leave both empty' }] });
    const both = formValuesToConfig({ ...defaultFormValues(), 'dp.clipNorm': '1', 'dp.noiseMultiplier': '0.8' });
    expect(both).toMatchObject({ ok: true, config: { dp: { clipNorm: 1, noiseMultiplier: 0.8 } } });
  });

  it('reads a switch and nested settings into their object', () => {
    const result = formValuesToConfig({ ...defaultFormValues(), 'clip2fl.kd': 'false', 'clip2fl.featuresPerClass': '50' });
    expect(result).toMatchObject({ ok: true, config: { clip2fl: { kd: false, featuresPerClass: 50 } } });
  });

  it('explains every setting', () => {
    for (const f of RUN_FORM_FIELDS) expect(f.help.length, f.key).toBeGreaterThan(20);
  });

  it('has a field for every run setting that the run settings do not leave out of the form, entered as the schema says', () => {
    const expected = RUN_SETTING_PATHS.filter((p) => !isExcluded(RUN_SETTINGS[p].form));
    expect(RUN_FORM_FIELDS.map((f) => f.key)).toEqual(expected);
    for (const f of RUN_FORM_FIELDS) {
      const shape = settingShape(f.key as (typeof RUN_SETTING_PATHS)[number]);
      expect(f.kind, f.key).toBe(shape.kind === 'integer' && f.scale ? 'number' : shape.kind);
      expect(f.optional ?? false, f.key).toBe(shape.optional);
    }
    expect(RUN_FORM_FIELDS.find((f) => f.key === 'roundDeadlineMs')).toMatchObject({ kind: 'number', scale: 1000, min: 1, max: 86_400 });
  });
});
