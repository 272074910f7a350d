/**
 * Building blocks every app shares, made for WCAG 2.1 AA / BITV 2.0: a page frame with a skip link,
 * landmarks and a language switch; fields whose label, hint and error are tied to the input; problem
 * messages announced to screen readers; and the sign-in page (development login or OIDC).
 */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { ApiError, type Problem } from './api.js';
import { beginOidcLogin } from './oidc.js';
import { locale, onLocaleChange, setLocale, translator, type Locale } from './i18n.js';
import {
  currentClaims,
  devLogin,
  onSessionChange,
  signOut,
  uiConfig,
  type Claims,
  type SessionKind,
  type UiConfig,
} from './session.js';

const t = translator();

/** Re-renders the calling component when the language or the session changes. */
export function useAppState(kind: SessionKind): { claims: Claims | undefined; locale: Locale } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const rerender = () => setTick((tick) => tick + 1);
    const offLocale = onLocaleChange(rerender);
    const offSession = onSessionChange(rerender);
    return () => {
      offLocale();
      offSession();
    };
  }, []);
  return { claims: currentClaims(kind), locale: locale() };
}

/** Loads data for a component; `reload` fetches again. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (value) => live && setState({ value, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}

export interface NavItem {
  readonly href: string;
  readonly label: string;
  readonly current?: boolean;
}

export function Layout(props: {
  title: string;
  kind: SessionKind;
  nav?: readonly NavItem[];
  children: ComponentChildren;
}) {
  const { claims } = useAppState(props.kind);
  useEffect(() => {
    document.title = `${props.title} – ${t('app.name')}`;
  }, [props.title]);
  return (
    <>
      <a class="skip-link" href="#main">
        {t('skip.main')}
      </a>
      <header class="app-header">
        <a class="app-name" href="/">
          {t('app.name')}
        </a>
        {props.nav && props.nav.length > 0 && (
          <nav aria-label={t('nav.label')}>
            <ul>
              {props.nav.map((item) => (
                <li key={item.href}>
                  <a href={item.href} aria-current={item.current ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="app-header-tools">
          <LanguageSwitch />
          {claims && (
            <>
              <span class="session-user">{t('session.signedInAs', { name: claims.name ?? claims.sub })}</span>
              <button type="button" class="secondary" onClick={() => signOut(props.kind)}>
                {t('session.logout')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}

export function LanguageSwitch() {
  const id = useId();
  return (
    <span class="language-switch">
      <label for={id}>{t('language.label')}</label>
      <select id={id} value={locale()} onChange={(event) => setLocale(event.currentTarget.value as Locale)}>
        <option value="de" lang="de">
          Deutsch
        </option>
        <option value="en" lang="en">
          English
        </option>
      </select>
    </span>
  );
}

/** The problem of a failed request, announced by screen readers (role=alert). */
export function ProblemAlert(props: { error: unknown }) {
  if (!props.error) return null;
  const problem: Problem | undefined = props.error instanceof ApiError ? props.error.problem : undefined;
  const message =
    problem?.status === 0
      ? t('problem.network')
      : (problem?.detail ?? problem?.title ?? (props.error as Error).message ?? String(props.error));
  return (
    <div class="problem" role="alert">
      <p>
        <strong>{t('problem.title')}:</strong> {message}
      </p>
      {problem?.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((error) => (
            <li key={error.field}>
              <code>{error.field}</code>: {error.message}
            </li>
          ))}
        </ul>
      )}
      {problem?.problems && problem.problems.length > 0 && (
        <ul>
          {problem.problems.map((item, index) => (
            <li key={index}>
              {item.elementId && <code>{item.elementId}</code>} {item.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The message the server gave for one field (`body.data.kennzeichen` → field `data.kennzeichen`). */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.problem.errors?.find((item) => item.field === field || item.field === `body.${field}`)?.message;
}

interface FieldText {
  readonly label: string;
  readonly hint?: string;
  readonly error?: string;
}

/** What ties a control to its label, hint and error. */
interface ControlAria {
  readonly id: string;
  readonly 'aria-describedby': string | undefined;
  readonly 'aria-invalid': true | undefined;
}

/** Label, hint and error around one control, tied to it by id and aria-describedby. */
function LabelledControl(props: FieldText & { control: (aria: ControlAria) => JSX.Element }) {
  const { label, hint, error } = props;
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      {props.control({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {error && (
        <p id={`${id}-error`} class="error">
          {error}
        </p>
      )}
    </div>
  );
}

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label'>;

/** A labelled input with hint and error tied to it by aria-describedby. */
export function Field(props: FieldText & InputProps) {
  const { label, hint, error, ...input } = props;
  return <LabelledControl label={label} hint={hint} error={error} control={(aria) => <input {...aria} {...input} />} />;
}

type TextAreaProps = Omit<JSX.TextareaHTMLAttributes<HTMLTextAreaElement>, 'label'>;

/** A labelled multi-line input with hint and error tied to it, like `Field`. */
export function TextAreaField(props: FieldText & TextAreaProps) {
  const { label, hint, error, ...textarea } = props;
  return (
    <LabelledControl
      label={label}
      hint={hint}
      error={error}
      control={(aria) => <textarea rows={3} {...aria} {...textarea} />}
    />
  );
}

type SelectProps = Omit<JSX.SelectHTMLAttributes<HTMLSelectElement>, 'label'>;

/** A labelled choice with hint and error tied to it, like `Field`. */
export function SelectField(props: FieldText & SelectProps & { children: ComponentChildren }) {
  const { label, hint, error, children, ...select } = props;
  return (
    <LabelledControl
      label={label}
      hint={hint}
      error={error}
      control={(aria) => (
        <select {...aria} {...select}>
          {children}
        </select>
      )}
    />
  );
}

/** The slug of a platform problem type (`urn:prozessplattform:problem:four-eyes` → `four-eyes`). */
export function problemType(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.problem.type?.replace(/^urn:prozessplattform:problem:/, '');
}

const STAFF_ROLES = ['designer', 'clerk', 'admin'] as const;

/**
 * The sign-in page. With the development login (embedded mode) the tester chooses who to be; otherwise
 * the configured OIDC issuer signs in (see oidc.ts).
 */
export function LoginPage(props: {
  kind: SessionKind;
  title: string;
  defaults?: { userId?: string; tenantId?: string; roles?: readonly string[]; groups?: string; name?: string };
}) {
  const config = useLoad<UiConfig>(uiConfig, []);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState({
    userId: props.defaults?.userId ?? '',
    name: props.defaults?.name ?? '',
    tenantId: props.defaults?.tenantId ?? '091620000000',
    roles: [...(props.defaults?.roles ?? [])],
    groups: props.defaults?.groups ?? '',
    trustLevel: 'substanziell',
  });
  const change = (name: keyof typeof form) => (event: Event) =>
    setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value });
  const toggleRole = (role: string) =>
    setForm({
      ...form,
      roles: form.roles.includes(role) ? form.roles.filter((r) => r !== role) : [...form.roles, role],
    });
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const name = form.name.trim() || undefined;
      if (props.kind === 'staff')
        await devLogin({
          kind: 'staff',
          userId: form.userId.trim(),
          name,
          tenantId: form.tenantId.trim(),
          roles: form.roles,
          groups: form.groups
            .split(',')
            .map((group) => group.trim())
            .filter(Boolean),
        });
      else await devLogin({ kind: 'citizen', userId: form.userId.trim(), name, trustLevel: form.trustLevel });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const oidc = config.value?.[props.kind];
  return (
    <Layout title={props.title} kind={props.kind}>
      <h1>{props.title}</h1>
      {config.loading && <p>{t('loading')}</p>}
      {oidc && (
        <p>
          <button type="button" onClick={() => void beginOidcLogin(props.kind, oidc)}>
            {props.kind === 'citizen' ? t('login.citizenOidc') : t('login.oidc')}
          </button>
        </p>
      )}
      {config.value?.devLogin && (
        <form class="login-form" onSubmit={submit} noValidate>
          <p class="notice">{t('login.dev.notice')}</p>
          <ProblemAlert error={error} />
          <Field
            label={t('login.userId')}
            name="userId"
            required
            autoComplete="username"
            value={form.userId}
            onInput={change('userId')}
            error={fieldError(error, 'userId')}
          />
          <Field label={t('login.name')} name="name" autoComplete="name" value={form.name} onInput={change('name')} />
          {props.kind === 'staff' ? (
            <>
              <Field
                label={t('login.tenantId')}
                name="tenantId"
                required
                inputMode="numeric"
                pattern="[0-9]{12}"
                value={form.tenantId}
                onInput={change('tenantId')}
                error={fieldError(error, 'tenantId')}
              />
              <fieldset>
                <legend>{t('login.roles')}</legend>
                {STAFF_ROLES.map((role) => (
                  <label key={role} class="choice">
                    <input
                      type="checkbox"
                      name="roles"
                      value={role}
                      checked={form.roles.includes(role)}
                      onChange={() => toggleRole(role)}
                    />{' '}
                    {t(`role.${role}`)}
                  </label>
                ))}
              </fieldset>
              <Field label={t('login.groups')} name="groups" value={form.groups} onInput={change('groups')} />
            </>
          ) : (
            <fieldset>
              <legend>{t('login.trustLevel')}</legend>
              {(['niedrig', 'substanziell', 'hoch'] as const).map((level) => (
                <label key={level} class="choice">
                  <input
                    type="radio"
                    name="trustLevel"
                    value={level}
                    checked={form.trustLevel === level}
                    onChange={change('trustLevel')}
                  />{' '}
                  {t(`trust.${level}`)}
                </label>
              ))}
            </fieldset>
          )}
          <button type="submit" disabled={busy}>
            {t('login.submit')}
          </button>
        </form>
      )}
      {config.value && !config.value.devLogin && !oidc && <p role="alert">{t('login.unavailable')}</p>}
    </Layout>
  );
}
