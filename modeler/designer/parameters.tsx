/**
 * A process's local parameters (issue #7): what the origin declares every adopting municipality must fill
 * (fee amount, competent office, deadlines, Bescheid texts, endpoints) and this tenant's values. Both are
 * saved with the draft. Money travels in cents and is edited in euros.
 */
import { useEffect, useId, useState } from 'preact/hooks';
import { locale } from '../src/shared/i18n.js';
import { Field, fieldError } from '../src/shared/ui.js';
import { t } from './main.js';

export type ParameterType = 'string' | 'number' | 'integer' | 'boolean' | 'money';
export type ParameterValue = string | number | boolean;

export interface ParameterDeclaration {
  readonly name: string;
  readonly type: ParameterType;
  readonly title: { readonly de: string; readonly en: string };
  readonly description?: string;
  readonly required: boolean;
  readonly default?: ParameterValue;
}

export type ParameterValues = Readonly<Record<string, ParameterValue>>;

const TYPES: readonly ParameterType[] = ['string', 'number', 'integer', 'boolean', 'money'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const titleOf = (parameter: ParameterDeclaration) =>
  (locale() === 'en' ? parameter.title.en : parameter.title.de) || parameter.title.de || parameter.name;

const euros = (cents: number) =>
  new Intl.NumberFormat(locale() === 'en' ? 'en-GB' : 'de-DE', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    useGrouping: false,
  }).format(cents / 100);

/** A value as the designer reads it (money in euros, booleans as ja / nein). */
export function formatValue(type: ParameterType, value: ParameterValue | undefined | null): string {
  if (value === undefined || value === null || value === '') return '–';
  if (type === 'money' && typeof value === 'number') return `${euros(value)} €`;
  if (type === 'boolean') return t(value ? 'parameters.yes' : 'parameters.no');
  return String(value);
}

/** The text of an input as the typed value; `undefined` for an empty field, an Error for one we cannot read. */
function parseValue(type: ParameterType, text: string): ParameterValue | undefined | Error {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (type === 'string') return text;
  if (type === 'boolean') return trimmed === 'true';
  // both decimal separators: "12,50" and "12.50"
  const normalised = trimmed.replace(/\s|€/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(normalised)) return new Error(t(`parameters.invalid.${type}`));
  const number = Number(normalised);
  if (type === 'integer') return Number.isInteger(number) ? number : new Error(t('parameters.invalid.integer'));
  if (type === 'money') {
    const cents = Math.round(number * 100);
    return Math.abs(cents - number * 100) < 1e-6 ? cents : new Error(t('parameters.invalid.money'));
  }
  return number;
}

function textOf(type: ParameterType, value: ParameterValue | undefined): string {
  if (value === undefined) return '';
  if (type === 'money' && typeof value === 'number') return euros(value);
  return String(value);
}

/** One typed value: a text field (numbers, money in euros) or a choice for booleans. */
function ValueField(props: {
  label: string;
  hint?: string;
  type: ParameterType;
  value: ParameterValue | undefined;
  required?: boolean;
  error?: string;
  notice?: string;
  disabled?: boolean;
  onChange(value: ParameterValue | undefined): void;
}) {
  const id = useId();
  const [text, setText] = useState(textOf(props.type, props.value));
  const [invalid, setInvalid] = useState<string>();
  // a value set from outside (loaded, updated upstream) replaces what is typed, unless it means the same
  useEffect(() => {
    const parsed = parseValue(props.type, text);
    if (!(parsed instanceof Error) && parsed !== props.value) setText(textOf(props.type, props.value));
  }, [props.value, props.type]);
  const change = (next: string) => {
    setText(next);
    const parsed = parseValue(props.type, next);
    if (parsed instanceof Error) return setInvalid(parsed.message);
    setInvalid(undefined);
    props.onChange(parsed);
  };
  const error = invalid ?? props.error;
  const described =
    [props.hint ? `${id}-hint` : '', props.notice ? `${id}-notice` : '', error ? `${id}-error` : '']
      .filter(Boolean)
      .join(' ') || undefined;
  const common = {
    id,
    disabled: props.disabled,
    'aria-describedby': described,
    'aria-invalid': error ? true : undefined,
    'aria-required': props.required ? true : undefined,
  } as const;
  return (
    <div class={`field${error ? ' field-invalid' : props.notice ? ' field-missing' : ''}`}>
      <label for={id}>
        {props.label}
        {props.type === 'money' && ` (${t('parameters.euro')})`}
        {props.required && <span class="required"> ({t('parameters.requiredShort')})</span>}
      </label>
      {props.hint && (
        <p id={`${id}-hint`} class="hint">
          {props.hint}
        </p>
      )}
      {props.type === 'boolean' ? (
        <select {...common} value={text} onChange={(event) => change(event.currentTarget.value)}>
          <option value="">{t('parameters.noValue')}</option>
          <option value="true">{t('parameters.yes')}</option>
          <option value="false">{t('parameters.no')}</option>
        </select>
      ) : (
        <input
          {...common}
          type="text"
          inputMode={props.type === 'string' ? undefined : props.type === 'integer' ? 'numeric' : 'decimal'}
          value={text}
          onInput={(event) => change(event.currentTarget.value)}
        />
      )}
      {props.notice && (
        <p id={`${id}-notice`} class="missing">
          {props.notice}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} class="error">
          {error}
        </p>
      )}
    </div>
  );
}

/** Required parameters with neither a value nor a default (the server refuses a review request for them). */
export const missingParameters = (parameters: readonly ParameterDeclaration[], values: ParameterValues) =>
  parameters.filter(
    (parameter) => parameter.required && values[parameter.name] === undefined && parameter.default === undefined,
  );

export function ParametersPanel(props: {
  parameters: readonly ParameterDeclaration[];
  values: ParameterValues;
  /** the origin declares; an adopter (a process with an upstream) only fills values */
  canDeclare: boolean;
  canWrite: boolean;
  error: unknown;
  onChange(parameters: readonly ParameterDeclaration[], values: ParameterValues): void;
}) {
  const [newName, setNewName] = useState('');
  const [nameError, setNameError] = useState<string>();
  const { parameters, values } = props;
  const missing = missingParameters(parameters, values);

  const setValue = (name: string, value: ParameterValue | undefined) => {
    const next: Record<string, ParameterValue> = { ...values };
    if (value === undefined) delete next[name];
    else next[name] = value;
    props.onChange(parameters, next);
  };
  const declare = (index: number, change: Partial<ParameterDeclaration>) => {
    const next = parameters.map((parameter, i) => {
      if (i !== index) return parameter;
      const changed = { ...parameter, ...change };
      // a default of another type would not be valid any more
      if (change.type && change.type !== parameter.type) delete (changed as { default?: unknown }).default;
      return changed;
    });
    // so would this tenant's value
    const nextValues: Record<string, ParameterValue> = { ...values };
    if (change.type && change.type !== parameters[index].type) delete nextValues[parameters[index].name];
    props.onChange(next, nextValues);
  };
  const remove = (index: number) => {
    const nextValues: Record<string, ParameterValue> = { ...values };
    delete nextValues[parameters[index].name];
    props.onChange(
      parameters.filter((_, i) => i !== index),
      nextValues,
    );
  };
  const add = (event: Event) => {
    event.preventDefault();
    const name = newName.trim();
    if (!NAME.test(name) || parameters.some((parameter) => parameter.name === name))
      return setNameError(t('parameters.badName'));
    setNameError(undefined);
    setNewName('');
    props.onChange([...parameters, { name, type: 'string', title: { de: name, en: name }, required: true }], values);
  };

  return (
    <div class="parameters">
      <h2>{t('parameters.title')}</h2>
      <p>{t(props.canDeclare ? 'parameters.intro.origin' : 'parameters.intro.adopter')}</p>
      {parameters.length === 0 ? (
        <p>{t('parameters.none')}</p>
      ) : (
        <section aria-labelledby="parameter-values-title">
          <h3 id="parameter-values-title">{t('parameters.values')}</h3>
          <p role="status" class={missing.length > 0 ? 'notice' : 'success'}>
            {missing.length > 0
              ? t('parameters.missing', { count: missing.length, names: missing.map(titleOf).join(', ') })
              : t('parameters.complete')}
          </p>
          {parameters.map((parameter) => {
            const value = values[parameter.name];
            return (
              <div key={parameter.name} data-parameter={parameter.name}>
                <ValueField
                  label={titleOf(parameter)}
                  hint={[
                    parameter.description,
                    t('parameters.meta', {
                      name: parameter.name,
                      type: t(`parameters.type.${parameter.type}`),
                    }),
                    parameter.default !== undefined
                      ? t(value === undefined ? 'parameters.defaultUsed' : 'parameters.defaultIs', {
                          value: formatValue(parameter.type, parameter.default),
                        })
                      : '',
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                  type={parameter.type}
                  value={value}
                  required={parameter.required}
                  disabled={!props.canWrite}
                  notice={missing.includes(parameter) ? t('parameters.missingOne') : undefined}
                  error={fieldError(props.error, `parameterValues.${parameter.name}`)}
                  onChange={(next) => setValue(parameter.name, next)}
                />
              </div>
            );
          })}
        </section>
      )}
      <section aria-labelledby="parameter-declarations-title">
        <h3 id="parameter-declarations-title">{t('parameters.declarations')}</h3>
        {!props.canDeclare && <p>{t('parameters.declaredByOrigin')}</p>}
        {parameters.map((parameter, index) =>
          props.canDeclare && props.canWrite ? (
            <fieldset key={index} class="parameter-declaration">
              <legend>{t('parameters.declaration', { name: parameter.name })}</legend>
              <DeclarationFields
                parameter={parameter}
                index={index}
                error={props.error}
                onChange={(change) => declare(index, change)}
              />
              <button type="button" class="secondary" onClick={() => remove(index)}>
                {t('parameters.remove', { name: parameter.name })}
              </button>
            </fieldset>
          ) : null,
        )}
        {!(props.canDeclare && props.canWrite) && parameters.length > 0 && (
          <table class="data-table">
            <caption>{t('parameters.declarations')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('parameters.name')}</th>
                <th scope="col">{t('parameters.titleDe')}</th>
                <th scope="col">{t('parameters.titleEn')}</th>
                <th scope="col">{t('parameters.type')}</th>
                <th scope="col">{t('parameters.required')}</th>
                <th scope="col">{t('parameters.default')}</th>
              </tr>
            </thead>
            <tbody>
              {parameters.map((parameter) => (
                <tr key={parameter.name}>
                  <th scope="row">
                    <code>{parameter.name}</code>
                  </th>
                  <td>{parameter.title.de}</td>
                  <td>{parameter.title.en}</td>
                  <td>{t(`parameters.type.${parameter.type}`)}</td>
                  <td>{t(parameter.required ? 'parameters.yes' : 'parameters.no')}</td>
                  <td>{formatValue(parameter.type, parameter.default)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {props.canDeclare && props.canWrite && (
          <form class="inline-form" onSubmit={add} noValidate>
            <div class={`field${nameError ? ' field-invalid' : ''}`}>
              <label for="parameter-new-name">{t('parameters.newName')}</label>
              <p id="parameter-new-name-hint" class="hint">
                {t('parameters.newName.hint')}
              </p>
              <input
                id="parameter-new-name"
                value={newName}
                aria-describedby={`parameter-new-name-hint${nameError ? ' parameter-new-name-error' : ''}`}
                aria-invalid={nameError ? true : undefined}
                onInput={(event) => setNewName(event.currentTarget.value)}
              />
              {nameError && (
                <p id="parameter-new-name-error" class="error">
                  {nameError}
                </p>
              )}
            </div>
            <button type="submit">{t('parameters.add')}</button>
          </form>
        )}
      </section>
    </div>
  );
}

function DeclarationFields(props: {
  parameter: ParameterDeclaration;
  index: number;
  error: unknown;
  onChange(change: Partial<ParameterDeclaration>): void;
}) {
  const { parameter, index } = props;
  const id = useId();
  const field = (name: string) => fieldError(props.error, `parameters.${index}.${name}`);
  const text = (key: 'de' | 'en') => ({
    value: parameter.title[key],
    onInput: (event: Event) =>
      props.onChange({ title: { ...parameter.title, [key]: (event.currentTarget as HTMLInputElement).value } }),
  });
  const typeError = field('type');
  return (
    <div class="declaration-grid">
      <Field label={t('parameters.titleDe')} error={field('title.de')} {...text('de')} />
      <Field label={t('parameters.titleEn')} error={field('title.en')} {...text('en')} />
      <Field
        label={t('parameters.description')}
        error={field('description')}
        value={parameter.description ?? ''}
        onInput={(event: Event) =>
          props.onChange({ description: (event.currentTarget as HTMLInputElement).value || undefined })
        }
      />
      <div class={`field${typeError ? ' field-invalid' : ''}`}>
        <label for={`${id}-type`}>{t('parameters.type')}</label>
        <select
          id={`${id}-type`}
          value={parameter.type}
          aria-invalid={typeError ? true : undefined}
          onChange={(event) => props.onChange({ type: event.currentTarget.value as ParameterType })}
        >
          {TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`parameters.type.${type}`)}
            </option>
          ))}
        </select>
        {typeError && <p class="error">{typeError}</p>}
      </div>
      <label class="choice">
        <input
          type="checkbox"
          checked={parameter.required}
          onChange={(event) => props.onChange({ required: event.currentTarget.checked })}
        />{' '}
        {t('parameters.required')}
      </label>
      <ValueField
        label={t('parameters.default')}
        type={parameter.type}
        value={parameter.default}
        error={field('default')}
        onChange={(value) => props.onChange({ default: value })}
      />
    </div>
  );
}
