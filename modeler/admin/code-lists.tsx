/**
 * The tenant's code lists over `/v2/code-lists` (`#/code-lists`): upload genericode files (as FIM exports ship
 * them beside the XDatenfelder), see which lists XDatenfelder imports can resolve, delete one.
 */
import { useState } from 'preact/hooks';
import { del, get, request } from '../src/shared/api.js';
import { translator } from '../src/shared/i18n.js';
import { Field, ProblemAlert, useLoad } from '../src/shared/ui.js';
import { messages } from './messages.js';

const t = translator(messages);

interface CodeList {
  readonly id: string;
  readonly canonicalUri: string;
  readonly version: string;
  readonly canonicalVersionUri: string | null;
  readonly name: string;
  readonly entries: number;
  readonly createdBy: string;
  readonly createdAt: string;
}

export function CodeListsPage() {
  const list = useLoad(() => get<{ items: CodeList[] }>('/v2/code-lists'), []);
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [inputKey, setInputKey] = useState(0);

  const upload = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setDone(undefined);
    if (files.length === 0) {
      setError(new Error(t('codeLists.noFile')));
      return;
    }
    setBusy(true);
    const stored: string[] = [];
    try {
      // one after the other: a refused file names itself, the ones before it are kept
      for (const file of files) {
        const body = new FormData();
        body.append('file', file, file.name);
        try {
          const saved = await request<CodeList>('/v2/code-lists', { method: 'POST', body });
          stored.push(saved.name || saved.canonicalUri);
        } catch (caught) {
          setError(caught);
          setDone(stored.length ? t('codeLists.stored', { count: stored.length }) : undefined);
          throw caught;
        }
      }
      setDone(t('codeLists.stored', { count: stored.length }));
      setFiles([]);
      setInputKey((key) => key + 1);
    } catch {
      // shown above
    } finally {
      setBusy(false);
      list.reload();
    }
  };

  const remove = async (item: CodeList) => {
    if (!confirm(t('codeLists.confirmDelete', { name: item.name || item.canonicalUri }))) return;
    setError(undefined);
    try {
      await del(`/v2/code-lists/${item.id}`);
      setDone(t('codeLists.deleted', { name: item.name || item.canonicalUri }));
      list.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <>
      <h1>{t('codeLists.title')}</h1>
      <p>{t('codeLists.intro')}</p>
      <form class="panel" onSubmit={upload} noValidate>
        <h2>{t('codeLists.upload')}</h2>
        <Field
          key={inputKey}
          label={t('codeLists.file')}
          hint={t('codeLists.file.hint')}
          type="file"
          name="file"
          multiple
          accept=".xml,application/xml,text/xml"
          onChange={(event) => setFiles([...(event.currentTarget.files ?? [])])}
        />
        <button type="submit" disabled={busy}>
          {t('codeLists.submit')}
        </button>
      </form>
      <div aria-live="polite" role="status" class={done ? 'success' : undefined}>
        {done}
      </div>
      {error !== undefined && <ProblemAlert error={error} />}
      <ProblemAlert error={list.error} />
      {list.loading && !list.value && <p>{t('loading')}</p>}
      {list.value && (
        <table class="code-lists">
          <caption>{t('codeLists.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('codeLists.name')}</th>
              <th scope="col">{t('codeLists.uri')}</th>
              <th scope="col">{t('codeLists.version')}</th>
              <th scope="col">{t('codeLists.entries')}</th>
              <th scope="col">{t('codeLists.by')}</th>
              <th scope="col">{t('codeLists.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.value.items.length === 0 && (
              <tr>
                <td colSpan={6}>{t('none')}</td>
              </tr>
            )}
            {list.value.items.map((item) => (
              <tr key={item.id}>
                <th scope="row">{item.name || '–'}</th>
                <td>
                  <code>{item.canonicalUri}</code>
                </td>
                <td>{item.version}</td>
                <td>{item.entries}</td>
                <td>
                  {item.createdBy}, {new Date(item.createdAt).toLocaleString(document.documentElement.lang)}
                </td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => void remove(item)}
                    aria-label={t('codeLists.deleteLabel', { name: item.name || item.canonicalUri })}
                  >
                    {t('codeLists.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
