/**
 * A process offered to citizens as a service (Leistung): LeiKa key, title, start form, the eIDAS trust level
 * applicants sign in with, fee hint, published — saved with `PUT /v2/services/{serviceId}`. The panel says
 * plainly whether citizens can apply now, in the server's terms: a published service whose process has a
 * release that is not withdrawn (the released version keeps serving while a changed draft is in the works).
 * A process taken over from the catalogue starts from what its package says about the service.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, put } from '../src/shared/api.js';
import { Field, fieldError, ProblemAlert, SelectField, TextAreaField, useLoad } from '../src/shared/ui.js';
import type { DraftForm } from './forms.js';
import { t } from './main.js';
import type { ProcessState } from './release.js';
import type { Upstream } from './upstream.js';

type TrustLevel = 'niedrig' | 'substanziell' | 'hoch';

export interface Service {
  readonly serviceId: string;
  readonly tenantId: string;
  readonly leikaKey: string;
  readonly title: string;
  readonly description: string;
  readonly bpmnProcessId: string;
  readonly formId: string;
  readonly trustLevel: TrustLevel;
  readonly feeHint: string | null;
  readonly published: boolean;
  /** of its process, as the server decides whether the service is offered */
  readonly processRelease: 'released' | 'withdrawn' | 'unreleased';
  readonly updatedAt: string;
  readonly schemaReport?: readonly string[];
}

interface CataloguePackage {
  readonly manifest: { readonly title: string; readonly leikaKey: string | null };
  readonly applicationSchemas: readonly { readonly serviceId: string; readonly formId: string }[];
}

interface ServiceInput {
  readonly serviceId: string;
  readonly leikaKey: string;
  readonly title: string;
  readonly description: string;
  readonly formId: string;
  readonly trustLevel: TrustLevel;
  readonly feeHint: string;
  readonly published: boolean;
}

const TRUST_LEVELS: readonly TrustLevel[] = ['niedrig', 'substanziell', 'hoch'];
const SERVICE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
const ZEEBE = 'http://camunda.org/schema/zeebe/1.0';

/** A service id from a process id: lower case, the characters the path allows. */
export const serviceIdOf = (bpmnProcessId: string) =>
  bpmnProcessId
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64) || 'leistung';

/** The form the process's start event links (`zeebe:formDefinition formId`), if any. */
export function startFormOf(bpmnXml: string, bpmnProcessId: string): string | undefined {
  const document = new DOMParser().parseFromString(bpmnXml, 'application/xml');
  const process = [...document.getElementsByTagNameNS(BPMN, 'process')].find(
    (element) => element.getAttribute('id') === bpmnProcessId,
  );
  const start = [...(process?.children ?? [])].find(
    (element) => element.namespaceURI === BPMN && element.localName === 'startEvent',
  );
  return start?.getElementsByTagNameNS(ZEEBE, 'formDefinition')[0]?.getAttribute('formId') || undefined;
}

/** Whether citizens can apply now, and if not, why — the same rule as the server's `offeredService`. */
const isOffered = (service: Service) => service.published && service.processRelease === 'released';

const portalHref = (service: Service) =>
  `/portal/apply/${encodeURIComponent(service.serviceId)}?ars=${encodeURIComponent(service.tenantId)}`;

const inputOf = (service: Service): ServiceInput => ({
  serviceId: service.serviceId,
  leikaKey: service.leikaKey,
  title: service.title,
  description: service.description,
  formId: service.formId,
  trustLevel: service.trustLevel,
  feeHint: service.feeHint ?? '',
  published: service.published,
});

function Availability(props: { service?: Service; state: ProcessState; latestVersion: number | null }) {
  const { service } = props;
  if (service && isOffered(service))
    return (
      <div class="success availability">
        <p>
          <strong>{t('service.visible')}</strong> {t('service.visible.explain')}
        </p>
        {(props.state === 'draft' || props.state === 'in_review') && (
          <p>
            {t('service.visible.changed', { state: t(`state.${props.state}`), version: props.latestVersion ?? '–' })}
          </p>
        )}
        <p>
          <a href={portalHref(service)} target="_blank" rel="noopener">
            {t('service.portal', { title: service.title })}
          </a>
        </p>
      </div>
    );
  const reasons = !service
    ? [t('service.reason.none')]
    : [
        !service.published && t('service.reason.unpublished'),
        service.processRelease !== 'released' && t(`service.reason.${service.processRelease}`),
      ].filter((reason): reason is string => Boolean(reason));
  return (
    <div class="notice availability">
      <p>
        <strong>{t('service.hidden')}</strong>
      </p>
      <ul>
        {reasons.map((reason) => (
          <li key={reason}>{reason}</li>
        ))}
      </ul>
    </div>
  );
}

export function ServicePanel(props: {
  bpmnProcessId: string;
  name: string;
  state: ProcessState;
  /** the latest deployed version; `null` before the first release (nothing a service could start) */
  latestVersion: number | null;
  bpmnXml: string;
  forms: readonly DraftForm[];
  upstream: Upstream | null;
  canWrite: boolean;
}) {
  const { upstream } = props;
  // the release state decides what is offered: load again when it changes
  const services = useLoad(() => get<{ items: Service[] }>('/v2/services'), [props.state, props.latestVersion]);
  const catalogue = useLoad(
    () =>
      upstream
        ? get<CataloguePackage>(
            `/v2/catalogue/packages/${encodeURIComponent(upstream.packageId)}/versions/${upstream.version}`,
          ).catch(() => undefined) // a package gone from the catalogue only means nothing to prefill
        : Promise.resolve(undefined),
    [upstream?.packageId, upstream?.version],
  );
  /** the service being edited; `null` for a new one, `undefined` until the services are loaded */
  const [editing, setEditing] = useState<string | null>();
  const [input, setInput] = useState<ServiceInput>();
  const [idError, setIdError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const [schemaReport, setSchemaReport] = useState<readonly string[]>([]);
  const [busy, setBusy] = useState(false);
  const all = services.value?.items ?? [];
  const mine = all.filter((service) => service.bpmnProcessId === props.bpmnProcessId);
  const current = mine.find((service) => service.serviceId === editing);
  const deployed = props.latestVersion !== null;
  const startForm = startFormOf(props.bpmnXml, props.bpmnProcessId);
  const fromPackage = catalogue.value;

  const defaults = (): ServiceInput => {
    const suggested = fromPackage?.applicationSchemas[0];
    const serviceId = suggested?.serviceId ?? serviceIdOf(props.bpmnProcessId);
    const formId = startForm ?? suggested?.formId ?? props.forms[0]?.formId ?? '';
    return {
      // a second service of the same process needs an id of its own
      serviceId: all.some((service) => service.serviceId === serviceId) ? '' : serviceId,
      leikaKey: fromPackage?.manifest.leikaKey ?? '',
      title: fromPackage?.manifest.title ?? props.name,
      description: '',
      formId,
      trustLevel: 'substanziell',
      feeHint: '',
      published: false,
    };
  };

  const edit = (service: Service | null) => {
    setEditing(service ? service.serviceId : null);
    setInput(service ? inputOf(service) : defaults());
    setError(undefined);
    setIdError(undefined);
    setSchemaReport([]);
  };

  // the first service of this process opens for editing, otherwise a new one with what we can suggest
  useEffect(() => {
    if (editing !== undefined || !services.value || catalogue.loading) return;
    edit(mine[0] ?? null);
  }, [services.value, catalogue.loading]);

  const change =
    (name: keyof ServiceInput) =>
    (event: Event): void => {
      const target = event.currentTarget as HTMLInputElement;
      setInput({ ...input!, [name]: target.type === 'checkbox' ? target.checked : target.value });
    };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!input) return;
    const serviceId = input.serviceId.trim();
    const taken = editing === null ? all.find((service) => service.serviceId === serviceId) : undefined;
    if (!SERVICE_ID.test(serviceId)) return setIdError(t('service.serviceId.invalid'));
    if (taken)
      return setIdError(t('service.serviceId.taken', { serviceId, title: taken.title, process: taken.bpmnProcessId }));
    setIdError(undefined);
    setBusy(true);
    setError(undefined);
    setStatus('');
    try {
      const saved = await put<Service>(`/v2/services/${encodeURIComponent(serviceId)}`, {
        leikaKey: input.leikaKey.trim(),
        title: input.title.trim(),
        description: input.description,
        bpmnProcessId: props.bpmnProcessId,
        formId: input.formId,
        trustLevel: input.trustLevel,
        ...(input.feeHint.trim() ? { feeHint: input.feeHint.trim() } : {}),
        published: input.published,
      });
      setEditing(saved.serviceId);
      setInput(inputOf(saved));
      setSchemaReport(saved.schemaReport ?? []);
      setStatus(
        t('service.saved', {
          serviceId: saved.serviceId,
          visibility: t(isOffered(saved) ? 'service.visible' : 'service.hidden'),
        }),
      );
      services.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const readOnly = !props.canWrite;
  const formIds = props.forms.map((form) => form.formId);
  // a saved service may name a form this draft no longer has: it stays choosable
  if (input?.formId && !formIds.includes(input.formId)) formIds.push(input.formId);

  return (
    <div class="service">
      <h2>{t('service.title')}</h2>
      <p>{t('service.intro')}</p>
      <ProblemAlert error={services.error} />
      {services.loading && !services.value && <p>{t('loading')}</p>}
      {!deployed && (
        <p id="service-not-deployed" class="notice">
          {t('service.notDeployed')}
        </p>
      )}
      {services.value && (
        <section aria-labelledby="service-availability-title">
          <h3 id="service-availability-title">{t('service.availability.title')}</h3>
          <Availability
            service={current ?? mine.find(isOffered) ?? mine[0]}
            state={props.state}
            latestVersion={props.latestVersion}
          />
        </section>
      )}
      {mine.length > 0 && (
        <section aria-labelledby="service-list-title">
          <h3 id="service-list-title">{t('service.list.title')}</h3>
          <table class="data-table" aria-labelledby="service-list-title">
            <thead>
              <tr>
                <th scope="col">{t('service.field.title')}</th>
                <th scope="col">{t('service.field.serviceId')}</th>
                <th scope="col">{t('service.field.leikaKey')}</th>
                <th scope="col">{t('service.list.offered')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('service.list.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {mine.map((service) => (
                <tr key={service.serviceId} aria-current={service.serviceId === editing ? 'true' : undefined}>
                  <th scope="row">{service.title}</th>
                  <td>
                    <code>{service.serviceId}</code>
                  </td>
                  <td>{service.leikaKey}</td>
                  <td>{t(isOffered(service) ? 'service.visible' : 'service.hidden')}</td>
                  <td>
                    <button type="button" class="link" onClick={() => edit(service)}>
                      {t('service.edit', { title: service.title })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {props.canWrite && editing !== null && (
            <p>
              <button type="button" class="secondary" onClick={() => edit(null)}>
                {t('service.new')}
              </button>
            </p>
          )}
        </section>
      )}
      {input && (
        <form onSubmit={save} noValidate aria-labelledby="service-form-title">
          <h3 id="service-form-title">
            {current ? t('service.form.edit', { title: current.title }) : t('service.form.new')}
          </h3>
          {editing === null && fromPackage && upstream && (
            <p class="hint">{t('service.prefilled', { packageId: upstream.packageId, version: upstream.version })}</p>
          )}
          <ProblemAlert error={error} />
          <Field
            label={t('service.field.serviceId')}
            hint={t(current ? 'service.field.serviceId.fixed' : 'service.field.serviceId.hint')}
            required
            readOnly={Boolean(current) || readOnly}
            value={input.serviceId}
            error={idError ?? fieldError(error, 'params.serviceId')}
            onInput={change('serviceId')}
          />
          <Field
            label={t('service.field.leikaKey')}
            hint={t('service.field.leikaKey.hint')}
            required
            inputMode="numeric"
            readOnly={readOnly}
            value={input.leikaKey}
            error={fieldError(error, 'leikaKey') && t('service.field.leikaKey.invalid')}
            onInput={change('leikaKey')}
          />
          <Field
            label={t('service.field.title')}
            hint={t('service.field.title.hint')}
            required
            readOnly={readOnly}
            value={input.title}
            error={fieldError(error, 'title')}
            onInput={change('title')}
          />
          <TextAreaField
            label={t('service.field.description')}
            hint={t('service.field.description.hint')}
            readOnly={readOnly}
            value={input.description}
            error={fieldError(error, 'description')}
            onInput={change('description')}
          />
          <SelectField
            label={t('service.field.formId')}
            hint={t(formIds.length > 0 ? 'service.field.formId.hint' : 'service.field.formId.none')}
            required
            disabled={readOnly}
            value={input.formId}
            error={fieldError(error, 'formId')}
            onChange={change('formId')}
          >
            {!input.formId && <option value="">{t('service.field.formId.choose')}</option>}
            {formIds.map((formId) => (
              <option key={formId} value={formId}>
                {formId === startForm ? t('service.field.formId.start', { formId }) : formId}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={t('service.field.trustLevel')}
            hint={t('service.field.trustLevel.hint')}
            required
            disabled={readOnly}
            value={input.trustLevel}
            error={fieldError(error, 'trustLevel')}
            onChange={change('trustLevel')}
          >
            {TRUST_LEVELS.map((level) => (
              <option key={level} value={level}>
                {t(`service.trust.${level}`)}
              </option>
            ))}
          </SelectField>
          <Field
            label={t('service.field.feeHint')}
            hint={t('service.field.feeHint.hint')}
            readOnly={readOnly}
            value={input.feeHint}
            error={fieldError(error, 'feeHint')}
            onInput={change('feeHint')}
          />
          <div class={`field${fieldError(error, 'published') ? ' field-invalid' : ''}`}>
            <label class="choice">
              <input
                type="checkbox"
                checked={input.published}
                disabled={readOnly}
                aria-describedby="service-published-hint"
                onChange={change('published')}
              />{' '}
              {t('service.field.published')}
            </label>
            <p id="service-published-hint" class="hint">
              {t('service.field.published.hint')}
            </p>
          </div>
          {props.canWrite && (
            <button
              type="submit"
              disabled={busy || !deployed}
              aria-describedby={deployed ? undefined : 'service-not-deployed'}
            >
              {t('service.save')}
            </button>
          )}
          <p role="status" class="status">
            {status}
          </p>
          {schemaReport.length > 0 && (
            <div class="notice">
              <p>{t('service.schemaReport')}</p>
              <ul>
                {schemaReport.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </div>
          )}
        </form>
      )}
    </div>
  );
}
