/**
 * A process taken over from the catalogue and its upstream (issue #7): where it came from (package,
 * version, origin tenant, signature), and when the origin published a newer version, what changed — the
 * diagrams side by side (bpmn-js-differ, as in the version comparison), the local parameters (added,
 * removed, changed, unchanged, with the value this tenant keeps) and the changelog — and the update, which
 * keeps the local values and makes the process a draft that goes through review again.
 */
import { formatDateTime } from '../src/shared/i18n.js';
import { ProblemAlert } from '../src/shared/ui.js';
import { formatValue, titleOf, type ParameterDeclaration, type ParameterValue } from './parameters.js';
import { t } from './main.js';
import { BpmnDiff } from './versions.js';

export interface Upstream {
  readonly packageId: string;
  readonly version: number;
  readonly originTenantId: string;
  readonly signer: string | null;
  readonly verified: boolean;
  readonly importedAt: string;
}

export interface ChangelogEntry {
  readonly version: number;
  readonly publishedAt?: string;
  readonly publishedBy?: string | null;
  readonly changelog?: string | null;
}

export interface ParameterChange {
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly before: ParameterDeclaration | null;
  readonly after: ParameterDeclaration | null;
  /** the value this tenant has, kept by the update */
  readonly value?: ParameterValue | null;
}

export interface UpstreamStatus {
  readonly packageId: string;
  readonly currentVersion: number;
  readonly latestVersion: number;
  readonly updateAvailable: boolean;
  readonly changelog: readonly (ChangelogEntry | string)[];
  readonly parameterDiff: readonly ParameterChange[];
  readonly bpmnXml: { readonly current: string; readonly latest: string };
}

/** Where the process came from, in one sentence. */
export function OriginNote(props: { upstream: Upstream }) {
  const { upstream } = props;
  return (
    <p class={upstream.verified ? 'success' : 'notice'}>
      {t('upstream.origin', {
        packageId: upstream.packageId,
        version: upstream.version,
        tenant: upstream.originTenantId,
        at: formatDateTime(upstream.importedAt),
      })}{' '}
      {upstream.verified
        ? t('upstream.verified', { signer: upstream.signer ?? upstream.originTenantId })
        : t('upstream.unverified')}
    </p>
  );
}

const declarationText = (parameter: ParameterDeclaration | null) =>
  parameter
    ? [
        t(`parameters.type.${parameter.type}`),
        parameter.required ? t('parameters.requiredShort') : t('parameters.optional'),
        parameter.default !== undefined
          ? t('parameters.defaultIs', { value: formatValue(parameter.type, parameter.default) })
          : '',
      ]
        .filter(Boolean)
        .join(', ')
    : '–';

export function UpstreamPanel(props: {
  upstream: Upstream;
  status: UpstreamStatus | undefined;
  error: unknown;
  canWrite: boolean;
  busy: boolean;
  /** the state does not allow an update (in review) */
  blocked: boolean;
  onUpdate(version: number): void;
}) {
  const { status } = props;
  return (
    <div class="upstream">
      <h2>{t('upstream.title')}</h2>
      <OriginNote upstream={props.upstream} />
      <ProblemAlert error={props.error} />
      {!status && !props.error && <p>{t('loading')}</p>}
      {status && !status.updateAvailable && (
        <p role="status">{t('upstream.current', { version: status.currentVersion })}</p>
      )}
      {status?.updateAvailable && (
        <>
          <p role="status" class="notice update-available">
            <strong>{t('upstream.available')}</strong>{' '}
            {t('upstream.versions', { current: status.currentVersion, latest: status.latestVersion })}
          </p>
          <section aria-labelledby="upstream-changelog-title">
            <h3 id="upstream-changelog-title">{t('upstream.changelog')}</h3>
            {status.changelog.length === 0 ? (
              <p>{t('upstream.changelog.none')}</p>
            ) : (
              <ul class="changelog">
                {status.changelog.map((entry, index) =>
                  typeof entry === 'string' ? (
                    <li key={index}>{entry}</li>
                  ) : (
                    <li key={entry.version}>
                      <strong>
                        {t('versions.version')} {entry.version}
                      </strong>
                      {entry.publishedAt && <> ({formatDateTime(entry.publishedAt)})</>}: {entry.changelog || '–'}
                    </li>
                  ),
                )}
              </ul>
            )}
          </section>
          <section aria-labelledby="upstream-parameters-title">
            <h3 id="upstream-parameters-title">{t('upstream.parameters')}</h3>
            <table class="data-table parameter-diff">
              <caption>{t('upstream.parameters.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('parameters.name')}</th>
                  <th scope="col">{t('upstream.change')}</th>
                  <th scope="col">{t('diff.old')}</th>
                  <th scope="col">{t('diff.new')}</th>
                  <th scope="col">{t('upstream.value')}</th>
                </tr>
              </thead>
              <tbody>
                {status.parameterDiff.length === 0 && (
                  <tr>
                    <td colSpan={5}>{t('parameters.none')}</td>
                  </tr>
                )}
                {status.parameterDiff.map((row) => {
                  const declaration = row.after ?? row.before;
                  return (
                    <tr key={row.name} class={`change-${row.change}`}>
                      <th scope="row">
                        {declaration ? titleOf(declaration) : row.name} (<code>{row.name}</code>)
                      </th>
                      <td>{t(`upstream.change.${row.change}`)}</td>
                      <td>{declarationText(row.before)}</td>
                      <td>{declarationText(row.after)}</td>
                      <td>
                        {row.change === 'removed'
                          ? t('upstream.value.dropped')
                          : declaration
                            ? formatValue(declaration.type, row.value ?? undefined)
                            : '–'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
          <section class="diff" aria-labelledby="upstream-diff-title">
            <h3 id="upstream-diff-title">
              {t('upstream.diff', { current: status.currentVersion, latest: status.latestVersion })}
            </h3>
            <BpmnDiff
              before={status.bpmnXml.current}
              after={status.bpmnXml.latest}
              beforeLabel={t('upstream.diff.current', { version: status.currentVersion })}
              afterLabel={t('upstream.diff.latest', { version: status.latestVersion })}
            />
          </section>
          {props.canWrite && (
            <>
              <p id="upstream-update-hint">{t(props.blocked ? 'upstream.blocked' : 'upstream.update.hint')}</p>
              <button
                type="button"
                disabled={props.busy || props.blocked}
                aria-describedby="upstream-update-hint"
                onClick={() => props.onUpdate(status.latestVersion)}
              >
                {t('upstream.update', { version: status.latestVersion })}
              </button>
            </>
          )}
        </>
      )}
    </div>
  );
}
