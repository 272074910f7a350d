/**
 * Open incidents of the tenant with their error, element and case. Retry gives the failed job new retries
 * (`PATCH /v2/jobs/{jobKey}`) and resolves the incident, so the step runs again; resolve alone re-issues
 * the failed command (for incidents without a job, e.g. a FEEL expression that failed on data now fixed).
 */
import { useState } from 'preact/hooks';
import { post, request, type SearchPage } from '../src/shared/api.js';
import { formatDateTime, translator } from '../src/shared/i18n.js';
import { Field, fieldError, ProblemAlert, useLoad } from '../src/shared/ui.js';
import { messages } from './messages.js';

const t = translator(messages);

interface Incident {
  readonly incidentKey: string;
  readonly processInstanceKey: string;
  readonly elementId: string;
  readonly bpmnProcessId: string;
  readonly errorType: string;
  readonly errorMessage: string;
  readonly jobKey: string | null;
  readonly creationDate: string;
}

export function IncidentsPage() {
  const list = useLoad(async () => {
    const incidents = await post<SearchPage<Incident>>('/v2/incidents/search', {
      filter: { state: 'ACTIVE' },
      sort: [{ field: 'creationDate', order: 'ASC' }],
      page: { limit: 100 },
    });
    // the case numbers (business keys) people know the cases by
    const keys = [...new Set(incidents.items.map((incident) => incident.processInstanceKey))];
    const instances = keys.length
      ? await post<SearchPage<{ processInstanceKey: string; businessKey: string | null }>>(
          '/v2/process-instances/search',
          { filter: { processInstanceKey: { $in: keys } }, page: { limit: keys.length } },
        )
      : { items: [] };
    const caseNumbers = new Map(instances.items.map((item) => [item.processInstanceKey, item.businessKey]));
    return { items: incidents.items, caseNumbers };
  }, []);
  const caseOf = (incident: Incident) =>
    list.value?.caseNumbers.get(incident.processInstanceKey) ?? incident.processInstanceKey;
  const [retries, setRetries] = useState('1');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState<string>();

  const act = async (incident: Incident, retry: boolean) => {
    setBusy(incident.incidentKey);
    setError(undefined);
    setDone(undefined);
    try {
      if (retry && incident.jobKey)
        await request(`/v2/jobs/${incident.jobKey}`, {
          method: 'PATCH',
          body: { changeset: { retries: Number(retries) } },
        });
      await post(`/v2/incidents/${incident.incidentKey}/resolution`);
      setDone(t(retry ? 'incidents.retried' : 'incidents.resolved', { element: incident.elementId }));
      list.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <h1>{t('incidents.title')}</h1>
      <div class="toolbar">
        <Field
          label={t('incidents.retries')}
          hint={t('incidents.retries.hint')}
          type="number"
          min={1}
          max={100}
          value={retries}
          onInput={(event) => setRetries(event.currentTarget.value)}
          error={fieldError(error, 'changeset.retries')}
        />
        <button type="button" class="secondary" onClick={list.reload}>
          {t('reload')}
        </button>
      </div>
      <div aria-live="polite" role="status" class={done ? 'success' : undefined}>
        {done}
      </div>
      <ProblemAlert error={error} />
      <ProblemAlert error={list.error} />
      {list.loading && !list.value && <p>{t('loading')}</p>}
      {list.value && list.value.items.length === 0 && <p>{t('incidents.none')}</p>}
      {list.value && list.value.items.length > 0 && (
        <table>
          <caption>{t('incidents.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('incidents.element')}</th>
              <th scope="col">{t('incidents.error')}</th>
              <th scope="col">{t('incidents.case')}</th>
              <th scope="col">{t('incidents.since')}</th>
              <th scope="col">{t('incidents.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.value.items.map((incident) => (
              <tr key={incident.incidentKey} data-incident-key={incident.incidentKey}>
                <th scope="row">
                  <code>{incident.elementId}</code>
                </th>
                <td>
                  <strong>{incident.errorType}</strong>: {incident.errorMessage}
                </td>
                <td>
                  {caseOf(incident)} <code>{incident.bpmnProcessId}</code>
                </td>
                <td>{formatDateTime(incident.creationDate)}</td>
                <td>
                  <div class="actions">
                    {incident.jobKey && (
                      <button
                        type="button"
                        disabled={busy === incident.incidentKey}
                        aria-label={t('incidents.retryLabel', {
                          element: incident.elementId,
                          case: caseOf(incident),
                        })}
                        onClick={() => void act(incident, true)}
                      >
                        {t('incidents.retry')}
                      </button>
                    )}
                    <button
                      type="button"
                      class="secondary"
                      disabled={busy === incident.incidentKey}
                      aria-label={t('incidents.resolveLabel', {
                        element: incident.elementId,
                        case: caseOf(incident),
                      })}
                      onClick={() => void act(incident, false)}
                    >
                      {t('incidents.resolve')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
