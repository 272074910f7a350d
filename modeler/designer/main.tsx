/**
 * The process designer (issues #5 and #7), at /designer/: the tenant's processes (`#/`), one process
 * (`#/process/<id>/<tab>`) with its release state, diagram, forms, parameters, review, test run, versions,
 * package and upstream, and the installation's shared catalogue of process packages (`#/catalogue`). Hash
 * routes, so the API's fallback serves this page for every state of the app.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, post } from '../src/shared/api.js';
import { formatDateTime, translator } from '../src/shared/i18n.js';
import { mount } from '../src/shared/mount.js';
import { Field, fieldError, Layout, LoginPage, ProblemAlert, useAppState, useLoad } from '../src/shared/ui.js';
import { parseBpmn } from '../lint/index.js';
import { ProcessEditor } from './editor.js';
import { messages } from './messages.js';
import { CataloguePage } from './packages.js';
import './designer.css';

export const t = translator(messages);

export interface ProcessSummary {
  readonly bpmnProcessId: string;
  readonly name: string;
  readonly state: 'draft' | 'in_review' | 'released' | 'withdrawn';
  readonly versions: number;
  readonly latestVersion: number | null;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
  /** a newer version of the package this process was taken over from */
  readonly availableUpdate?: { readonly packageId: string; readonly version: number; readonly latestVersion: number };
}

export const who = (actor: string | null) => (actor ?? '–').replace(/^staff:/, '');

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function ProcessList(props: { tenant: string }) {
  const list = useLoad(() => get<{ items: ProcessSummary[] }>('/v2/processes'), []);
  const [form, setForm] = useState({ name: '', bpmnProcessId: '' });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const open = (id: string) => (location.hash = `#/process/${encodeURIComponent(id)}`);

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await post('/v2/processes', { name: form.name.trim(), bpmnProcessId: form.bpmnProcessId.trim() });
      open(form.bpmnProcessId.trim());
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const importFile = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError(undefined);
    try {
      const bpmnXml = await file.text();
      const definitions = await parseBpmn(bpmnXml);
      const process = ((definitions.rootElements ?? []) as { $type: string; id: string; name?: string }[]).find(
        (root) => root.$type === 'bpmn:Process',
      );
      if (!process) throw new Error(t('import.noProcess'));
      await post('/v2/processes', { bpmnProcessId: process.id, name: process.name ?? process.id, bpmnXml });
      open(process.id);
    } catch (caught) {
      setError(caught);
    } finally {
      input.value = '';
    }
  };

  return (
    <>
      <h1>{t('list.title')}</h1>
      <ProblemAlert error={list.error} />
      {list.loading && !list.value && <p>{t('loading')}</p>}
      {list.value && (
        <table class="data-table">
          <caption>{t('list.caption', { tenant: props.tenant })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('list.name')}</th>
              <th scope="col">{t('list.id')}</th>
              <th scope="col">{t('list.versions')}</th>
              <th scope="col">{t('list.state')}</th>
              <th scope="col">{t('list.updated')}</th>
              <th scope="col">{t('list.author')}</th>
            </tr>
          </thead>
          <tbody>
            {list.value.items.length === 0 && (
              <tr>
                <td colSpan={6}>{t('empty')}</td>
              </tr>
            )}
            {list.value.items.map((item) => (
              <tr key={item.bpmnProcessId}>
                <th scope="row">
                  <a href={`#/process/${encodeURIComponent(item.bpmnProcessId)}`}>{item.name}</a>
                </th>
                <td>
                  <code>{item.bpmnProcessId}</code>
                </td>
                <td>{item.versions}</td>
                <td>
                  <span class={`state state-${item.state}`}>{t(`state.${item.state}`)}</span>
                  {item.availableUpdate && (
                    <>
                      {' '}
                      <a class="update-hint" href={`#/process/${encodeURIComponent(item.bpmnProcessId)}/upstream`}>
                        {t('list.update', { version: item.availableUpdate.latestVersion })}
                      </a>
                    </>
                  )}
                </td>
                <td>{formatDateTime(item.updatedAt)}</td>
                <td>{who(item.updatedBy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="two-columns">
        <section aria-labelledby="create-title">
          <h2 id="create-title">{t('create.title')}</h2>
          <ProblemAlert error={error} />
          <form onSubmit={create} noValidate>
            <Field
              label={t('create.name')}
              name="name"
              required
              value={form.name}
              onInput={(event) => setForm({ ...form, name: event.currentTarget.value })}
              error={fieldError(error, 'name')}
            />
            <Field
              label={t('create.id')}
              hint={t('create.id.hint')}
              name="bpmnProcessId"
              required
              value={form.bpmnProcessId}
              onInput={(event) => setForm({ ...form, bpmnProcessId: event.currentTarget.value })}
              error={fieldError(error, 'bpmnProcessId')}
            />
            <button type="submit" disabled={busy}>
              {t('create.submit')}
            </button>
          </form>
        </section>
        <section aria-labelledby="import-title">
          <h2 id="import-title">{t('import.title')}</h2>
          <div class="field">
            <label for="import-bpmn">{t('import.bpmn')}</label>
            <input id="import-bpmn" type="file" accept=".bpmn,.xml,application/xml" onChange={importFile} />
          </div>
        </section>
      </div>
    </>
  );
}

function Designer() {
  const { claims } = useAppState('staff');
  const hash = useHash();
  if (!claims) return <LoginPage kind="staff" title={t('designer.login')} defaults={{ roles: ['designer'] }} />;
  const roles = claims.roles ?? [];
  const route = /^#\/process\/([^/]+)(?:\/(\w+))?(?:\/(\d+)\/(\d+))?/.exec(hash);
  const catalogue = hash.startsWith('#/catalogue');
  const nav = [
    { href: '#/', label: t('list.title'), current: !route && !catalogue },
    { href: '#/catalogue', label: t('catalogue.title'), current: catalogue },
  ];
  if (!roles.includes('designer') && !roles.includes('admin'))
    return (
      <Layout title={t('designer.title')} kind="staff">
        <h1>{t('designer.title')}</h1>
        <ProblemAlert error={new ApiError({ status: 403, detail: t('designer.forbidden') })} />
      </Layout>
    );
  return (
    <Layout
      title={route ? decodeURIComponent(route[1]) : catalogue ? t('catalogue.title') : t('designer.title')}
      kind="staff"
      nav={nav}
    >
      {catalogue ? (
        <CataloguePage canWrite={roles.includes('designer')} isAdmin={roles.includes('admin')} />
      ) : route ? (
        <ProcessEditor
          key={route[1]}
          bpmnProcessId={decodeURIComponent(route[1])}
          tab={route[2] ?? 'diagram'}
          compare={route[3] ? [Number(route[3]), Number(route[4])] : undefined}
          canWrite={roles.includes('designer')}
          actor={`staff:${claims.sub}`}
        />
      ) : (
        <ProcessList tenant={claims.tenant ?? ''} />
      )}
    </Layout>
  );
}

mount(Designer);
