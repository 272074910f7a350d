/**
 * The directory of authorities over `GET/PUT /v2/authorities`: the entries as a table, a download as CSV
 * (built from the list, so without secrets), and an upload that replaces the directory all or nothing. A
 * refused file is shown line by line with each error at its line.
 */
import { useState } from 'preact/hooks';
import { ApiError, get, request } from '../src/shared/api.js';
import { translator } from '../src/shared/i18n.js';
import { Field, ProblemAlert, useLoad } from '../src/shared/ui.js';
import { messages } from './messages.js';

const t = translator(messages);

interface Authority {
  readonly name: string;
  readonly leikaKey: string | null;
  readonly regionKey: string;
  readonly channel: string;
  readonly endpoint: string | null;
  readonly destinationId: string | null;
  readonly targetTenantId: string | null;
  readonly secretSet: boolean;
}

const COLUMNS = [
  'name',
  'leikaKey',
  'regionKey',
  'channel',
  'endpoint',
  'destinationId',
  'targetTenantId',
  'secret',
] as const;

const csvCell = (value: string | null) => {
  const text = value ?? '';
  return /[;"\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function toCsv(items: readonly Authority[]): string {
  const rows = items.map((item) =>
    COLUMNS.map((column) => csvCell(column === 'secret' ? '' : (item[column] as string | null))).join(';'),
  );
  return `${[COLUMNS.join(';'), ...rows].join('\r\n')}\r\n`;
}

interface LineError {
  readonly line: number | null;
  readonly column: string | null;
  readonly message: string;
}

/** `body line 3: endpoint` → line 3, column endpoint (the API names every bad line and column). */
function lineErrorsOf(error: unknown): LineError[] {
  if (!(error instanceof ApiError) || !error.problem.errors) return [];
  return error.problem.errors.map((item) => {
    const match = /line (\d+)(?::\s*(.+))?/.exec(item.field);
    return { line: match ? Number(match[1]) : null, column: match?.[2] ?? null, message: item.message };
  });
}

export function AuthoritiesPage() {
  const list = useLoad(() => get<{ items: Authority[] }>('/v2/authorities'), []);
  const [file, setFile] = useState<File>();
  const [text, setText] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [inputKey, setInputKey] = useState(0);
  const lineErrors = lineErrorsOf(error);

  const download = () => {
    const blob = new Blob([`\uFEFF${toCsv(list.value?.items ?? [])}`], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = 'behoerdenverzeichnis.csv';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const upload = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setDone(undefined);
    if (!file) {
      setError(new Error(t('authorities.noFile')));
      return;
    }
    setBusy(true);
    const content = await file.text();
    setText(content);
    try {
      const saved = await request<{ items: Authority[] }>('/v2/authorities', {
        method: 'PUT',
        body: content,
        headers: { 'content-type': 'text/csv' },
      });
      setDone(t('authorities.replaced', { count: saved.items.length }));
      setFile(undefined);
      setInputKey((key) => key + 1);
      list.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const lines = (text ?? '').replace(/^\uFEFF/, '').split(/\r?\n/);

  return (
    <>
      <h1>{t('authorities.title')}</h1>
      <p>{t('authorities.intro')}</p>
      <ProblemAlert error={list.error} />
      {list.loading && !list.value && <p>{t('loading')}</p>}
      {list.value && (
        <>
          <div class="toolbar">
            <button type="button" class="secondary" onClick={download}>
              {t('authorities.download')}
            </button>
          </div>
          <p class="hint">{t('authorities.download.hint')}</p>
          <table>
            <caption>{t('authorities.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('authorities.name')}</th>
                <th scope="col">{t('authorities.leikaKey')}</th>
                <th scope="col">{t('authorities.regionKey')}</th>
                <th scope="col">{t('authorities.channel')}</th>
                <th scope="col">{t('authorities.endpoint')}</th>
                <th scope="col">{t('authorities.secret')}</th>
              </tr>
            </thead>
            <tbody>
              {list.value.items.length === 0 && (
                <tr>
                  <td colSpan={6}>{t('none')}</td>
                </tr>
              )}
              {list.value.items.map((item) => (
                <tr key={`${item.leikaKey ?? '*'}@${item.regionKey}`}>
                  <th scope="row">{item.name}</th>
                  <td>{item.leikaKey ?? t('authorities.any')}</td>
                  <td>{item.regionKey}</td>
                  <td>{item.channel}</td>
                  <td>{item.endpoint ?? item.destinationId ?? item.targetTenantId ?? '–'}</td>
                  <td>{item.secretSet ? t('authorities.yes') : t('authorities.no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <form class="panel" onSubmit={upload} noValidate>
        <h2>{t('authorities.upload')}</h2>
        <Field
          key={inputKey}
          label={t('authorities.file')}
          hint={t('authorities.file.hint')}
          type="file"
          name="file"
          accept=".csv,text/csv"
          onChange={(event) => setFile(event.currentTarget.files?.[0])}
        />
        <button type="submit" disabled={busy}>
          {t('authorities.submit')}
        </button>
      </form>
      <div aria-live="polite" role="status" class={done ? 'success' : undefined}>
        {done}
      </div>
      {error !== undefined && lineErrors.length === 0 && <ProblemAlert error={error} />}
      {lineErrors.length > 0 && (
        <>
          <div class="problem" role="alert">
            <p>
              <strong>{t('authorities.rejected', { count: lineErrors.length })}</strong>
            </p>
            <ul>
              {lineErrors.map((item, index) => (
                <li key={index}>
                  {item.line === null
                    ? item.message
                    : t('authorities.lineError', {
                        line: item.line,
                        column: item.column ?? '–',
                        message: item.message,
                      })}
                </li>
              ))}
            </ul>
          </div>
          <table class="csv-lines">
            <caption>{t('authorities.lines')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('authorities.line')}</th>
                <th scope="col">{t('authorities.content')}</th>
                <th scope="col">{t('authorities.problem')}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line, index) => {
                const errors = lineErrors.filter((item) => item.line === index + 1);
                if (line.trim() === '' && errors.length === 0) return null;
                return (
                  <tr key={index} class={errors.length ? 'line-invalid' : undefined} data-line={index + 1}>
                    <th scope="row">{index + 1}</th>
                    <td>
                      <code>{line}</code>
                    </td>
                    <td>
                      {errors.map((item, at) => (
                        <p key={at} class="error">
                          {item.column ? <code>{item.column}</code> : null} {item.message}
                        </p>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
