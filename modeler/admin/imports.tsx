/**
 * Imports over `/v2/imports/*` (`#/imports`): choose the kind, upload the file (for XProzess optionally the
 * XDatenfelder file of the same service), preview or import, and read the report — counts, the share
 * mapped, and every reported construct with its element id — with a link to the created draft in the
 * designer. Below, the tenant's past imports, each of whose reports can be opened again.
 */
import { useId, useState } from 'preact/hooks';
import { get, request } from '../src/shared/api.js';
import { translator } from '../src/shared/i18n.js';
import { Field, ProblemAlert, useLoad } from '../src/shared/ui.js';
import { messages } from './messages.js';

const t = translator(messages);

export type ImportKind = 'xdatenfelder' | 'xprozess' | 'camunda7' | 'bpmn';
const KINDS: readonly ImportKind[] = ['xdatenfelder', 'xprozess', 'camunda7', 'bpmn'];
const ACCEPT: Record<ImportKind, string> = {
  xdatenfelder: '.xml,application/xml,text/xml',
  xprozess: '.xml,application/xml,text/xml',
  camunda7: '.bpmn,.xml',
  bpmn: '.bpmn,.xml',
};

interface ReportItem {
  readonly elementId: string | null;
  readonly path?: string;
  readonly construct: string;
  readonly message: string;
}

export interface ImportReport {
  readonly unit: 'fields' | 'elements';
  readonly total: number;
  readonly mapped: number;
  readonly reported: number;
  readonly items: readonly ReportItem[];
}

interface ImportResult {
  readonly id: string | null;
  readonly kind: ImportKind;
  readonly dryRun: boolean;
  readonly fileName: string | null;
  readonly bpmnProcessId?: string;
  readonly name?: string;
  readonly leikaKey?: string;
  readonly formId?: string;
  readonly designerUrl?: string;
  readonly report: ImportReport;
  readonly createdBy?: string;
  readonly createdAt?: string;
}

const percent = (report: ImportReport) =>
  report.total === 0
    ? '–'
    : new Intl.NumberFormat(document.documentElement.lang || 'de', {
        style: 'percent',
        maximumFractionDigits: 1,
      }).format(report.mapped / report.total);

/** The report of one import: counts, share mapped and every reported construct. */
export function ReportView(props: { result: ImportResult; headingLevel?: 2 | 3 }) {
  const { result } = props;
  const { report } = result;
  const Heading = props.headingLevel === 3 ? 'h3' : 'h2';
  return (
    <section class="panel import-report" aria-labelledby={`report-${result.id ?? 'preview'}`}>
      <Heading id={`report-${result.id ?? 'preview'}`}>
        {t(result.dryRun ? 'imports.report.preview' : 'imports.report.title', {
          file: result.fileName ?? t(`imports.kind.${result.kind}`),
        })}
      </Heading>
      <dl class="import-summary">
        <dt>{t('imports.kind')}</dt>
        <dd>{t(`imports.kind.${result.kind}`)}</dd>
        {result.bpmnProcessId && (
          <>
            <dt>{t('imports.process')}</dt>
            <dd>
              {result.designerUrl && !result.dryRun ? (
                <a href={result.designerUrl}>
                  {t('imports.openDesigner', { name: result.name ?? result.bpmnProcessId })}
                </a>
              ) : (
                (result.name ?? result.bpmnProcessId)
              )}{' '}
              (<code>{result.bpmnProcessId}</code>)
            </dd>
          </>
        )}
        {result.leikaKey && (
          <>
            <dt>{t('imports.leikaKey')}</dt>
            <dd>{result.leikaKey}</dd>
          </>
        )}
        {result.formId && (
          <>
            <dt>{t('imports.form')}</dt>
            <dd>
              <code>{result.formId}</code>
            </dd>
          </>
        )}
        <dt>{t(`imports.total.${report.unit}`)}</dt>
        <dd data-count="total">{report.total}</dd>
        <dt>{t('imports.mapped')}</dt>
        <dd data-count="mapped">{report.mapped}</dd>
        <dt>{t('imports.reported')}</dt>
        <dd data-count="reported">{report.reported}</dd>
        <dt>{t('imports.share')}</dt>
        <dd data-count="share">{percent(report)}</dd>
      </dl>
      {report.total > 0 && (
        <meter class="import-share" min={0} max={report.total} value={report.mapped} aria-label={t('imports.share')} />
      )}
      {report.items.length === 0 ? (
        <p>{t('imports.allMapped')}</p>
      ) : (
        <table class="import-items">
          <caption>{t('imports.items', { count: report.items.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('imports.elementId')}</th>
              {report.unit === 'fields' && <th scope="col">{t('imports.path')}</th>}
              <th scope="col">{t('imports.construct')}</th>
              <th scope="col">{t('imports.message')}</th>
            </tr>
          </thead>
          <tbody>
            {report.items.map((item, index) => (
              <tr key={index}>
                <th scope="row">{item.elementId ? <code>{item.elementId}</code> : t('imports.document')}</th>
                {report.unit === 'fields' && <td>{item.path ? <code>{item.path}</code> : '–'}</td>}
                <td>
                  <code>{item.construct}</code>
                </td>
                <td>{item.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ImportsPage() {
  const history = useLoad(() => get<{ items: ImportResult[] }>('/v2/imports'), []);
  const kindId = useId();
  const [kind, setKind] = useState<ImportKind>('xdatenfelder');
  const [file, setFile] = useState<File>();
  const [dataFields, setDataFields] = useState<File>();
  const [dryRun, setDryRun] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<ImportResult>();
  const [opened, setOpened] = useState<ImportResult>();
  const [inputKey, setInputKey] = useState(0);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setResult(undefined);
    if (!file) {
      setError(new Error(t('imports.noFile')));
      return;
    }
    const body = new FormData();
    body.append('file', file, file.name);
    if (kind === 'xprozess' && dataFields) body.append('dataFields', dataFields, dataFields.name);
    setBusy(true);
    try {
      const imported = await request<ImportResult>(`/v2/imports/${kind}${dryRun ? '?dryRun=true' : ''}`, {
        method: 'POST',
        body,
      });
      setResult(imported);
      if (!imported.dryRun) {
        setFile(undefined);
        setDataFields(undefined);
        setInputKey((key) => key + 1);
        history.reload();
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const open = async (id: string) => {
    setOpened(await get<ImportResult>(`/v2/imports/${id}`));
  };

  return (
    <>
      <h1>{t('imports.title')}</h1>
      <p>{t('imports.intro')}</p>
      <form class="panel" onSubmit={submit} noValidate>
        <h2>{t('imports.new')}</h2>
        <div class="field">
          <label for={kindId}>{t('imports.kind')}</label>
          <select
            id={kindId}
            name="kind"
            value={kind}
            onChange={(event) => setKind(event.currentTarget.value as ImportKind)}
          >
            {KINDS.map((item) => (
              <option key={item} value={item}>
                {t(`imports.kind.${item}`)}
              </option>
            ))}
          </select>
        </div>
        <Field
          key={`file-${inputKey}-${kind}`}
          label={t('imports.file')}
          hint={t(`imports.file.hint.${kind}`)}
          type="file"
          name="file"
          accept={ACCEPT[kind]}
          onChange={(event) => setFile(event.currentTarget.files?.[0])}
        />
        {kind === 'xprozess' && (
          <Field
            key={`data-fields-${inputKey}`}
            label={t('imports.dataFields')}
            hint={t('imports.dataFields.hint')}
            type="file"
            name="dataFields"
            accept={ACCEPT.xdatenfelder}
            onChange={(event) => setDataFields(event.currentTarget.files?.[0])}
          />
        )}
        <div class="field checkbox">
          <label>
            <input type="checkbox" checked={dryRun} onChange={(event) => setDryRun(event.currentTarget.checked)} />{' '}
            {t('imports.dryRun')}
          </label>
        </div>
        <button type="submit" disabled={busy}>
          {busy ? t('imports.busy') : t(dryRun ? 'imports.preview' : 'imports.submit')}
        </button>
      </form>
      <div aria-live="polite" role="status" class={result ? 'success' : undefined}>
        {result &&
          (result.dryRun
            ? t('imports.previewed', { mapped: result.report.mapped, total: result.report.total })
            : t('imports.done', { mapped: result.report.mapped, total: result.report.total }))}
      </div>
      {error !== undefined && <ProblemAlert error={error} />}
      {result && <ReportView result={result} />}

      <h2>{t('imports.history')}</h2>
      <ProblemAlert error={history.error} />
      {history.loading && !history.value && <p>{t('loading')}</p>}
      {history.value && (
        <table class="import-history">
          <caption>{t('imports.history.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('imports.when')}</th>
              <th scope="col">{t('imports.kind')}</th>
              <th scope="col">{t('imports.file')}</th>
              <th scope="col">{t('imports.result')}</th>
              <th scope="col">{t('imports.mapped')}</th>
              <th scope="col">{t('imports.share')}</th>
              <th scope="col">{t('imports.by')}</th>
              <th scope="col">{t('imports.report')}</th>
            </tr>
          </thead>
          <tbody>
            {history.value.items.length === 0 && (
              <tr>
                <td colSpan={8}>{t('none')}</td>
              </tr>
            )}
            {history.value.items.map((item) => (
              <tr key={item.id}>
                <th scope="row">
                  {item.createdAt ? new Date(item.createdAt).toLocaleString(document.documentElement.lang) : '–'}
                </th>
                <td>{t(`imports.kind.${item.kind}`)}</td>
                <td>{item.fileName ?? '–'}</td>
                <td>
                  {item.bpmnProcessId && item.designerUrl ? (
                    <a href={item.designerUrl}>{item.bpmnProcessId}</a>
                  ) : item.formId ? (
                    <code>{item.formId}</code>
                  ) : (
                    '–'
                  )}
                </td>
                <td>
                  {item.report.mapped} / {item.report.total}
                </td>
                <td>{percent(item.report)}</td>
                <td>{item.createdBy ?? '–'}</td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => void open(item.id!)}
                    aria-label={t('imports.showReport', { file: item.fileName ?? item.kind })}
                  >
                    {t('imports.show')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {opened && <ReportView result={opened} />}
    </>
  );
}
