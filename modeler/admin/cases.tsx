/**
 * Running cases per process definition version, and for one version where its running cases stand: the
 * diagram with a count badge per element (active, and with incident) — the heatmap — and the same counts
 * as a table.
 */
import { get, post } from '../src/shared/api.js';
import { Diagram, heatmapFromCounts } from '../src/shared/diagram.js';
import { translator } from '../src/shared/i18n.js';
import { ProblemAlert, useLoad } from '../src/shared/ui.js';
import { messages } from './messages.js';

const t = translator(messages);

interface ProcessStatistics {
  readonly processDefinitionKey: string;
  readonly bpmnProcessId: string;
  readonly name: string | null;
  readonly version: number;
  readonly versionTag: string | null;
  readonly active: number;
  readonly withIncidents: number;
}

interface ElementStatistics {
  readonly elementId: string;
  readonly active: number;
  readonly incidents: number;
}

export function CasesPage() {
  const list = useLoad(() => get<{ items: ProcessStatistics[] }>('/v2/admin/process-statistics'), []);
  return (
    <>
      <h1>{t('cases.title')}</h1>
      <p>
        <button type="button" class="secondary" onClick={list.reload}>
          {t('reload')}
        </button>
      </p>
      {list.loading && !list.value && <p>{t('loading')}</p>}
      <ProblemAlert error={list.error} />
      {list.value && (
        <table>
          <caption>{t('cases.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('cases.process')}</th>
              <th scope="col">{t('cases.version')}</th>
              <th scope="col">{t('cases.active')}</th>
              <th scope="col">{t('cases.withIncidents')}</th>
              <th scope="col">{t('cases.heatmapShort')}</th>
            </tr>
          </thead>
          <tbody>
            {list.value.items.length === 0 && (
              <tr>
                <td colSpan={5}>{t('none')}</td>
              </tr>
            )}
            {list.value.items.map((item) => (
              <tr key={item.processDefinitionKey} data-process-definition-key={item.processDefinitionKey}>
                <th scope="row">
                  {item.name ?? item.bpmnProcessId} <code>{item.bpmnProcessId}</code>
                </th>
                <td>
                  {item.version}
                  {item.versionTag ? ` (${item.versionTag})` : ''}
                </td>
                <td class="number">{item.active}</td>
                <td class="number">{item.withIncidents}</td>
                <td>
                  <a
                    href={`#/process/${item.processDefinitionKey}`}
                    aria-label={t('cases.heatmap', { name: item.name ?? item.bpmnProcessId, version: item.version })}
                  >
                    {t('cases.heatmapShort')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function HeatmapPage(props: { processDefinitionKey: string }) {
  const key = props.processDefinitionKey;
  const data = useLoad(async () => {
    const [definition, xml, statistics] = await Promise.all([
      get<{ bpmnProcessId: string; name: string | null; version: number }>(`/v2/process-definitions/${key}`),
      get<string>(`/v2/process-definitions/${key}/xml`, { as: 'text' }),
      post<{ items: ElementStatistics[] }>(`/v2/process-definitions/${key}/statistics/element-instances`, {}),
    ]);
    return { definition, xml, items: statistics.items };
  }, [key]);
  const name = data.value ? (data.value.definition.name ?? data.value.definition.bpmnProcessId) : '';
  return (
    <>
      <p>
        <a href="#/">{t('heatmap.back')}</a>
      </p>
      {data.loading && !data.value && <p>{t('loading')}</p>}
      <ProblemAlert error={data.error} />
      {data.value && (
        <>
          <h1>{t('heatmap.title', { name, version: data.value.definition.version })}</h1>
          <p>{t('heatmap.intro')}</p>
          <p>
            <button type="button" class="secondary" onClick={data.reload}>
              {t('reload')}
            </button>
          </p>
          <Diagram xml={data.value.xml} label={name} {...heatmapFromCounts(data.value.items)} />
          <table>
            <caption>{t('heatmap.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('heatmap.element')}</th>
                <th scope="col">{t('heatmap.active')}</th>
                <th scope="col">{t('heatmap.incidents')}</th>
              </tr>
            </thead>
            <tbody>
              {data.value.items.length === 0 && (
                <tr>
                  <td colSpan={3}>{t('none')}</td>
                </tr>
              )}
              {data.value.items.map((item) => (
                <tr key={item.elementId}>
                  <th scope="row">
                    <code>{item.elementId}</code>
                  </th>
                  <td class="number">{item.active}</td>
                  <td class="number">{item.incidents}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
