/**
 * Process packages (issue #7): a released process exported as a signed package file or published to the
 * installation's shared catalogue (`PackagePanel`, a tab of the editor), and the catalogue itself
 * (`CataloguePage`, `#/catalogue`): every tenant's published packages, taken over into the own tenant as a
 * draft — from the catalogue or from a package file — with the signature check and the verified origin shown.
 * Accepting an unsigned package is the administrators' decision alone.
 */
import { useState } from 'preact/hooks';
import { get, post } from '../src/shared/api.js';
import { formatDateTime } from '../src/shared/i18n.js';
import { Field, fieldError, ProblemAlert, problemType, TextAreaField, useLoad } from '../src/shared/ui.js';
import { download } from './editor.js';
import { t } from './main.js';

interface CatalogueEntry {
  readonly packageId: string;
  readonly title: string;
  readonly leikaKey: string | null;
  readonly originTenantId: string;
  readonly latestVersion: number;
  readonly publishedAt: string;
  readonly changelog: string | null;
}

interface PackageVersions {
  readonly packageId: string;
  readonly versions: readonly {
    version: number;
    publishedAt: string;
    publishedBy: string | null;
    changelog: string | null;
  }[];
}

interface ImportedProcess {
  readonly bpmnProcessId: string;
  readonly name: string;
  readonly origin: { tenantId: string; signer: string | null; verified: boolean; trusted: boolean };
}

interface ProcessPackage {
  readonly manifest: { readonly id: string; readonly version: number };
}

export function PackagePanel(props: { base: string; id: string; released: boolean; canWrite: boolean }) {
  const [changelog, setChangelog] = useState('');
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setStatus('');
    try {
      await work();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const exportPackage = () =>
    run(async () => {
      const found = await get<ProcessPackage>(`${props.base}/package`);
      download(`${props.id}-${found.manifest.version}.json`, JSON.stringify(found, null, 2), 'application/json');
      setStatus(t('package.exported', { version: found.manifest.version }));
    });
  const publish = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const entry = await post<CatalogueEntry>('/v2/catalogue/packages', {
        bpmnProcessId: props.id,
        ...(changelog.trim() ? { changelog: changelog.trim() } : {}),
      });
      setChangelog('');
      setStatus(t('package.published', { packageId: entry.packageId, version: entry.latestVersion }));
    });
  };

  return (
    <div class="package">
      <h2>{t('package.title')}</h2>
      <p>{t('package.intro')}</p>
      {!props.released && <p class="notice">{t('package.notReleased')}</p>}
      <p role="status" class="status">
        {status}
      </p>
      <ProblemAlert error={error} />
      <div class="two-columns">
        <section aria-labelledby="package-export-title">
          <h3 id="package-export-title">{t('package.export.title')}</h3>
          <p>{t('package.export.intro')}</p>
          <button type="button" disabled={busy || !props.released} onClick={() => void exportPackage()}>
            {t('package.export')}
          </button>
        </section>
        {props.canWrite && (
          <section aria-labelledby="package-publish-title">
            <h3 id="package-publish-title">{t('package.publish.title')}</h3>
            <form onSubmit={publish} noValidate>
              <TextAreaField
                label={t('package.changelog')}
                hint={t('package.changelog.hint')}
                value={changelog}
                error={fieldError(error, 'changelog')}
                onInput={(event) => setChangelog(event.currentTarget.value)}
              />
              <button type="submit" disabled={busy || !props.released}>
                {t('package.publish')}
              </button>
            </form>
          </section>
        )}
      </div>
    </div>
  );
}

/** What the signature check said about an imported package, or why it refused it. */
function ImportOutcome(props: { imported?: ImportedProcess; error: unknown }) {
  if (props.imported) {
    const { origin } = props.imported;
    return (
      <div class={origin.verified ? 'success' : 'notice'} role="status">
        <p>
          <strong>{t('import.done', { name: props.imported.name, id: props.imported.bpmnProcessId })}</strong>
        </p>
        <p>
          {origin.verified
            ? t('import.signature.valid', { signer: origin.signer ?? origin.tenantId, tenant: origin.tenantId })
            : t('import.signature.unsigned', { tenant: origin.tenantId })}{' '}
          {origin.trusted ? t('import.trusted') : t('import.untrusted')}
        </p>
        <p>
          <a href={`#/process/${encodeURIComponent(props.imported.bpmnProcessId)}/parameters`}>
            {t('import.open', { name: props.imported.name })}
          </a>
        </p>
      </div>
    );
  }
  const type = problemType(props.error);
  const known = ['package-signature-invalid', 'package-unsigned', 'package-untrusted', 'already-exists'];
  return (
    <>
      {type && known.includes(type) && (
        <p class="problem" role="alert">
          <strong>{t(`import.refused.${type}`)}</strong>
        </p>
      )}
      <ProblemAlert error={props.error} />
    </>
  );
}

function ImportOptions(props: {
  prefix: string;
  isAdmin: boolean;
  error: unknown;
  processId: string;
  acceptUnsigned: boolean;
  onProcessId(value: string): void;
  onAcceptUnsigned(value: boolean): void;
}) {
  return (
    <>
      <Field
        label={t('import.processId')}
        hint={t('import.processId.hint')}
        name={`${props.prefix}-bpmnProcessId`}
        value={props.processId}
        error={fieldError(props.error, 'bpmnProcessId')}
        onInput={(event) => props.onProcessId(event.currentTarget.value)}
      />
      {props.isAdmin && (
        <div class="field">
          <label class="choice">
            <input
              type="checkbox"
              checked={props.acceptUnsigned}
              aria-describedby={`${props.prefix}-unsigned-hint`}
              onChange={(event) => props.onAcceptUnsigned(event.currentTarget.checked)}
            />{' '}
            {t('import.acceptUnsigned')}
          </label>
          <p id={`${props.prefix}-unsigned-hint`} class="hint">
            {t('import.acceptUnsigned.hint')}
          </p>
        </div>
      )}
    </>
  );
}

export function CataloguePage(props: { canWrite: boolean; isAdmin: boolean }) {
  const catalogue = useLoad(() => get<{ items: CatalogueEntry[] }>('/v2/catalogue/packages'), []);
  const [chosen, setChosen] = useState<CatalogueEntry>();
  return (
    <>
      <h1>{t('catalogue.title')}</h1>
      <p>{t('catalogue.intro')}</p>
      <ProblemAlert error={catalogue.error} />
      {catalogue.loading && !catalogue.value && <p>{t('loading')}</p>}
      {catalogue.value && (
        <table class="data-table catalogue">
          <caption>{t('catalogue.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('catalogue.name')}</th>
              <th scope="col">{t('catalogue.origin')}</th>
              <th scope="col">{t('catalogue.leika')}</th>
              <th scope="col">{t('catalogue.latest')}</th>
              <th scope="col">{t('catalogue.changelog')}</th>
              {props.canWrite && <th scope="col">{t('catalogue.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {catalogue.value.items.length === 0 && (
              <tr>
                <td colSpan={props.canWrite ? 6 : 5}>{t('catalogue.empty')}</td>
              </tr>
            )}
            {catalogue.value.items.map((item) => (
              <tr key={item.packageId}>
                <th scope="row">
                  {item.title}
                  <br />
                  <code>{item.packageId}</code>
                </th>
                <td>{item.originTenantId}</td>
                <td>{item.leikaKey ?? '–'}</td>
                <td>
                  {item.latestVersion} ({formatDateTime(item.publishedAt)})
                </td>
                <td>{item.changelog || '–'}</td>
                {props.canWrite && (
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      aria-pressed={chosen?.packageId === item.packageId}
                      onClick={() => setChosen(item)}
                    >
                      {t('catalogue.choose', { title: item.title })}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.canWrite && (
        <div class="two-columns">
          {chosen ? (
            <CatalogueImport key={chosen.packageId} entry={chosen} isAdmin={props.isAdmin} />
          ) : (
            <section aria-labelledby="catalogue-import-title">
              <h2 id="catalogue-import-title">{t('catalogue.import.title')}</h2>
              <p>{t('catalogue.import.choose')}</p>
            </section>
          )}
          <FileImport isAdmin={props.isAdmin} />
        </div>
      )}
    </>
  );
}

function CatalogueImport(props: { entry: CatalogueEntry; isAdmin: boolean }) {
  const versions = useLoad(
    () => get<PackageVersions>(`/v2/catalogue/packages/${encodeURIComponent(props.entry.packageId)}`),
    [props.entry.packageId],
  );
  const [version, setVersion] = useState(String(props.entry.latestVersion));
  const [processId, setProcessId] = useState('');
  const [acceptUnsigned, setAcceptUnsigned] = useState(false);
  const [error, setError] = useState<unknown>();
  const [imported, setImported] = useState<ImportedProcess>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setImported(undefined);
    try {
      setImported(
        await post<ImportedProcess>('/v2/processes/imports/package', {
          catalogue: { packageId: props.entry.packageId, version: Number(version) },
          ...(processId.trim() ? { bpmnProcessId: processId.trim() } : {}),
          ...(acceptUnsigned ? { acceptUnsigned: true } : {}),
        }),
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="catalogue-import-title">
      <h2 id="catalogue-import-title">{t('catalogue.import.of', { title: props.entry.title })}</h2>
      <ProblemAlert error={versions.error} />
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="catalogue-version">{t('catalogue.version')}</label>
          <select id="catalogue-version" value={version} onChange={(event) => setVersion(event.currentTarget.value)}>
            {(versions.value?.versions ?? [{ version: props.entry.latestVersion, changelog: null }]).map((item) => (
              <option key={item.version} value={String(item.version)}>
                {t('versions.version')} {item.version}
                {item.changelog ? ` – ${item.changelog}` : ''}
              </option>
            ))}
          </select>
        </div>
        <ImportOptions
          prefix="catalogue"
          isAdmin={props.isAdmin}
          error={error}
          processId={processId}
          acceptUnsigned={acceptUnsigned}
          onProcessId={setProcessId}
          onAcceptUnsigned={setAcceptUnsigned}
        />
        <button type="submit" disabled={busy}>
          {t('catalogue.import')}
        </button>
      </form>
      <ImportOutcome imported={imported} error={error} />
    </section>
  );
}

function FileImport(props: { isAdmin: boolean }) {
  const [file, setFile] = useState<File>();
  const [processId, setProcessId] = useState('');
  const [acceptUnsigned, setAcceptUnsigned] = useState(false);
  const [error, setError] = useState<unknown>();
  const [imported, setImported] = useState<ImportedProcess>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setImported(undefined);
    if (!file) return setError(new Error(t('import.file.missing')));
    setBusy(true);
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await file.text());
      } catch (caught) {
        throw new Error(t('import.file.notJson', { message: (caught as Error).message }));
      }
      setImported(
        await post<ImportedProcess>('/v2/processes/imports/package', {
          package: parsed,
          ...(processId.trim() ? { bpmnProcessId: processId.trim() } : {}),
          ...(acceptUnsigned ? { acceptUnsigned: true } : {}),
        }),
      );
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const fileError = fieldError(error, 'package');
  return (
    <section aria-labelledby="file-import-title">
      <h2 id="file-import-title">{t('import.file.title')}</h2>
      <form onSubmit={submit} noValidate>
        <div class={`field${fileError ? ' field-invalid' : ''}`}>
          <label for="package-file">{t('import.file')}</label>
          <input
            id="package-file"
            type="file"
            accept=".json,application/json"
            aria-invalid={fileError ? true : undefined}
            onChange={(event) => setFile(event.currentTarget.files?.[0])}
          />
          {fileError && <p class="error">{fileError}</p>}
        </div>
        <ImportOptions
          prefix="file"
          isAdmin={props.isAdmin}
          error={error}
          processId={processId}
          acceptUnsigned={acceptUnsigned}
          onProcessId={setProcessId}
          onAcceptUnsigned={setAcceptUnsigned}
        />
        <button type="submit" disabled={busy}>
          {t('import.file.submit')}
        </button>
      </form>
      <ImportOutcome imported={imported} error={error} />
    </section>
  );
}
