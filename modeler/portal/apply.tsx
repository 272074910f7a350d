/**
 * Applying for a service in three steps: the start form (form-js; its own validation runs first), the
 * summary, then the submission — the attachments are uploaded, the application is sent, and the server
 * checks the data against the same JSON Schema; its field errors are put back at the form's fields. The
 * receipt shows the case number.
 */
import { useRef, useState } from 'preact/hooks';
import { ApiError, get, post } from '../src/shared/api.js';
import { fieldsOf, FormView, type FormComponent, type FormHandle } from '../src/shared/form-view.js';
import { formatDate, locale } from '../src/shared/i18n.js';
import type { Claims } from '../src/shared/session.js';
import { ProblemAlert, useLoad } from '../src/shared/ui.js';
import { t } from './messages.js';
import type { PublicServiceDetails, Receipt } from './model.js';

const TRUST_ORDER = ['niedrig', 'substanziell', 'hoch'];
const FILE_PREFIX = 'files::';

/** Uploads one attachment for an application to this municipality; answers its document key. */
export async function uploadDocument(file: File, tenantId: string): Promise<string> {
  const body = new FormData();
  body.append('tenantId', tenantId);
  body.append('file', file, file.name);
  return (await post<{ documentKey: string }>('/v2/documents', body)).documentKey;
}

function readValue(path: string, data: Record<string, unknown>): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], data);
}

function writeValue(path: string, data: Record<string, unknown>, value: unknown): void {
  const keys = path.split('.');
  let target = data;
  for (const key of keys.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
  target[keys.at(-1)!] = value;
}

function display(component: FormComponent, value: unknown, files: Map<string, File[]>): string {
  if (value === undefined || value === null || value === '') return '–';
  if (typeof value === 'string' && value.startsWith(FILE_PREFIX))
    return (files.get(value) ?? []).map((file) => file.name).join(', ');
  if (typeof value === 'boolean') return value ? t('apply.yes') : t('apply.no');
  if (component.type === 'datetime' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value))
    return formatDate(`${value}T12:00:00`);
  const option = component.values?.find((entry) => entry.value === value);
  return option ? option.label : String(value);
}

type Step = 'form' | 'summary' | 'receipt';

export function ApplyPage(props: { serviceId: string; tenantId: string; claims: Claims }) {
  const service = useLoad(
    () =>
      get<PublicServiceDetails>(
        `/v2/public/tenants/${encodeURIComponent(props.tenantId)}/services/${encodeURIComponent(props.serviceId)}`,
      ),
    [props.serviceId, props.tenantId],
  );
  const form = useRef<FormHandle>();
  const [step, setStep] = useState<Step>('form');
  const [entered, setEntered] = useState<{ data: Record<string, unknown>; files: Map<string, File[]> }>();
  const [invalidCount, setInvalidCount] = useState(0);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<Receipt>();
  const [serverErrors, setServerErrors] = useState<Record<string, string>>();

  if (service.loading) return <p>{t('loading')}</p>;
  if (!service.value) return <ProblemAlert error={service.error} />;
  const details = service.value;
  const fields = fieldsOf(details.form.components);
  const trust = props.claims.trust_level ?? 'niedrig';
  const trustTooLow = TRUST_ORDER.indexOf(trust) < TRUST_ORDER.indexOf(details.trustLevel);
  const stepName = t(`apply.step.${step}`);

  const toSummary = (event: Event) => {
    event.preventDefault();
    const result = form.current!.submit();
    const invalid = Object.keys(result.errors).length;
    setInvalidCount(invalid);
    if (invalid > 0) {
      // the first invalid field gets the focus, so keyboard and screen-reader users land where to fix
      requestAnimationFrame(() =>
        document
          .querySelector<HTMLElement>('.form-view .fjs-has-errors input, .form-view .fjs-has-errors select')
          ?.focus(),
      );
      return;
    }
    setEntered({ data: result.data, files: result.files });
    setStep('summary');
  };

  const submit = async () => {
    if (!entered) return;
    setBusy(true);
    setError(undefined);
    try {
      const data = structuredClone(entered.data);
      const documentKeys: string[] = [];
      for (const { path } of fields) {
        const value = readValue(path, data);
        if (typeof value !== 'string' || !value.startsWith(FILE_PREFIX)) continue;
        const keys: string[] = [];
        for (const file of entered.files.get(value) ?? []) keys.push(await uploadDocument(file, details.tenantId));
        documentKeys.push(...keys);
        const component = fields.find((field) => field.path === path)!.component as FormComponent & {
          multiple?: boolean;
        };
        writeValue(
          path,
          data,
          component.multiple ? keys.map((key) => ({ documentKey: key })) : { documentKey: keys[0] },
        );
      }
      setReceipt(
        await post<Receipt>('/v2/applications', {
          tenantId: details.tenantId,
          serviceId: details.serviceId,
          data,
          documentKeys,
        }),
      );
      setStep('receipt');
    } catch (caught) {
      setError(caught);
      const problems = caught instanceof ApiError ? (caught.problem.errors ?? []) : [];
      const byPath = Object.fromEntries(
        problems
          .filter((problem) => problem.field.startsWith('body.data.'))
          .map((problem) => [problem.field.slice('body.data.'.length), problem.message]),
      );
      if (Object.keys(byPath).length > 0) {
        // back to the form, with the server's messages at the fields
        setServerErrors(byPath);
        setStep('form');
        form.current?.showErrors(byPath);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>{details.title}</h1>
      <p class="step" aria-live="polite">
        {t('apply.step', { step: { form: 1, summary: 2, receipt: 3 }[step], name: stepName })}
      </p>
      {trustTooLow && (
        <p class="notice" role="alert">
          {t('apply.trustTooLow', { required: t(`trust.${details.trustLevel}`), actual: t(`trust.${trust}`) })}
        </p>
      )}
      {/* kept while the summary shows, so going back keeps every entry and the chosen files */}
      {step !== 'receipt' && (
        <form onSubmit={toSummary} noValidate hidden={step !== 'form'}>
          {invalidCount > 0 && (
            <p class="problem" role="alert">
              {t('apply.invalid', { count: invalidCount })}
            </p>
          )}
          {serverErrors && (
            <div role="alert">
              <ProblemAlert error={error} />
              <p class="problem">{t('apply.serverInvalid')}</p>
            </div>
          )}
          <FormView schema={details.form} onReady={(handle) => (form.current = handle)} onError={setError} />
          <button type="submit">{t('apply.next')}</button>
        </form>
      )}
      {step === 'summary' && entered && (
        <>
          <p>{t('apply.summary.intro')}</p>
          <table>
            <caption>{t('apply.summary.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('apply.summary.field')}</th>
                <th scope="col">{t('apply.summary.value')}</th>
              </tr>
            </thead>
            <tbody>
              {fields.map(({ path, component }) => (
                <tr key={path}>
                  <th scope="row">{component.label ?? component.dateLabel ?? path}</th>
                  <td>{display(component, readValue(path, entered.data), entered.files)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ProblemAlert error={error} />
          <div class="toolbar">
            <button type="button" class="secondary" onClick={() => setStep('form')} disabled={busy}>
              {t('apply.edit')}
            </button>
            <button type="button" onClick={() => void submit()} disabled={busy || trustTooLow}>
              {busy ? t('apply.submitting') : t('apply.submit')}
            </button>
          </div>
        </>
      )}
      {step === 'receipt' && receipt && (
        <div class="success" role="status">
          <h2>{t('receipt.title')}</h2>
          <p>{locale() === 'en' ? receipt.message.en : receipt.message.de}</p>
          <p>
            {t('receipt.caseNumber')}: <strong class="case-number">{receipt.caseNumber}</strong>
          </p>
          <p>
            <a href={`/portal/cases/${receipt.processInstanceKey}`}>{t('receipt.open')}</a>
          </p>
        </div>
      )}
    </>
  );
}
