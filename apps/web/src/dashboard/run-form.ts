import type { RunConfig, RunState } from '@clipfed/protocol';
import { postJson } from './api';
import { byId, h } from './dom';
import { notify } from './notice';
import { defaultFormValues, FIELD_GROUPS, formValuesToConfig, RUN_FORM_FIELDS, type FieldGroup, type FieldSpec } from './run-form-fields';
import { loadToken, saveToken } from './token-store';

const fieldId = (key: string) => `field-${key.replace(/\./g, '-')}`;

function input(f: FieldSpec, value: string): HTMLInputElement | HTMLSelectElement {
  const id = fieldId(f.key);
  const common = { id, name: f.key, 'aria-describedby': `${id}-help ${id}-error` };
  if (f.kind === 'select') {
    const select = h('select', common, ...(f.options ?? []).map((o) => h('option', { value: o, text: o })));
    select.value = value;
    return select;
  }
  if (f.kind === 'boolean') {
    const box = h('input', { ...common, type: 'checkbox' });
    box.checked = value === 'true';
    return box;
  }
  const numeric = f.kind !== 'text';
  const el = h('input', {
    ...common,
    type: numeric ? 'number' : 'text',
    inputmode: f.kind === 'integer' ? 'numeric' : numeric ? 'decimal' : undefined,
    step: f.kind === 'integer' ? '1' : numeric ? 'any' : undefined,
    min: f.min,
    max: f.max,
    required: !f.optional,
    placeholder: f.optional ? (f.emptyMeans ?? 'off') : undefined,
  });
  el.value = value;
  return el;
}

function field(f: FieldSpec, value: string): HTMLElement {
  const id = fieldId(f.key);
  const label = h('label', { for: id, text: f.label });
  return h(
    'div',
    { class: f.kind === 'boolean' ? 'field checkbox' : 'field' },
    ...(f.kind === 'boolean' ? [h('span', { class: 'checkbox-row' }, input(f, value), label)] : [label, input(f, value)]),
    h('p', { id: `${id}-help`, class: 'help', text: f.help }),
    h('p', { id: `${id}-error`, class: 'error' }),
  );
}

export function operatorToken(): string {
  return byId<HTMLInputElement>('operator-token').value.trim();
}

/** Asks for the token where it is typed, so an operator who forgot it knows where it goes. */
export function requireToken(): string | null {
  const token = operatorToken();
  if (token) return token;
  notify('Enter the operator token first (the server prints it at start).', 'error');
  byId('operator-token').focus();
  return null;
}

function showErrors(errors: { key: string; message: string }[]): void {
  for (const f of RUN_FORM_FIELDS) {
    const id = fieldId(f.key);
    const error = errors.find((e) => e.key === f.key);
    byId(`${id}-error`).textContent = error?.message ?? '';
    byId(id).setAttribute('aria-invalid', String(!!error));
  }
  const unplaced = errors.filter((e) => !RUN_FORM_FIELDS.some((f) => f.key === e.key));
  byId('form-errors').textContent = errors.length ? `Please fix: ${errors.map((e) => e.message).join('; ')}` : '';
  if (unplaced.length === 0 && errors.length) {
    const first = byId(fieldId(errors[0].key));
    first.closest('details')?.setAttribute('open', '');
    first.focus();
  }
}

/** Builds the create-run form from the field list and posts the run; `onCreated` gets the new run's id. */
export function mountRunForm(onCreated: (runId: string) => void): void {
  const token = byId<HTMLInputElement>('operator-token');
  token.value = loadToken();
  token.addEventListener('change', () => saveToken(token.value.trim()));
  const values = defaultFormValues();
  const fieldsOf = (group: FieldGroup) => RUN_FORM_FIELDS.filter((f) => f.group === group).map((f) => field(f, values[f.key]));
  byId('basic-fields').replaceChildren(...fieldsOf('basic'));
  byId('advanced-fields').replaceChildren(
    ...FIELD_GROUPS.filter((g) => g !== 'basic').map((g) => h('fieldset', {}, h('legend', { text: g }), h('div', { class: 'fields' }, ...fieldsOf(g)))),
  );

  const form = byId<HTMLFormElement>('create-form');
  const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    notify('');
    const data = Object.fromEntries(
      RUN_FORM_FIELDS.map((f) => {
        const el = byId<HTMLInputElement>(fieldId(f.key));
        return [f.key, f.kind === 'boolean' ? String(el.checked) : el.value];
      }),
    );
    const result = formValuesToConfig(data);
    if (!result.ok) return showErrors(result.errors);
    showErrors([]);
    const tokenValue = requireToken();
    if (!tokenValue) return;
    saveToken(tokenValue);
    submit.disabled = true;
    notify('Creating the run… The first run on a dataset takes longer: the server encodes its evaluation images once.');
    postJson<{ runId: string; state: RunState; config: RunConfig }>('/api/runs', tokenValue, result.config)
      .then((created) => {
        notify(`Created run ${created.config.name} (${created.runId}). Share the join link below with volunteers.`);
        onCreated(created.runId);
      })
      .catch((err: unknown) => {
        byId('form-errors').textContent = err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
}
