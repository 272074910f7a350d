/**
 * Jobs per queue: open jobs per job type and state from PostgreSQL (the system of record, in both modes),
 * and with Redis the BullMQ dashboard, opened with a short-lived ticket cookie (a navigation carries no
 * bearer token; see api/src/routes/admin/queue-dashboard.ts).
 */
import { useState } from 'preact/hooks';
import { get, post } from '../src/shared/api.js';
import { translator } from '../src/shared/i18n.js';
import { ProblemAlert, useLoad } from '../src/shared/ui.js';
import { messages } from './messages.js';

const t = translator(messages);

interface JobStatistics {
  readonly transport: 'bullmq' | 'in-process';
  readonly dashboard: string | null;
  readonly items: readonly { type: string; queue: string; state: string; count: number }[];
}

export function JobsPage() {
  const stats = useLoad(() => get<JobStatistics>('/v2/admin/job-statistics'), []);
  const [error, setError] = useState<unknown>();
  const openDashboard = async () => {
    setError(undefined);
    try {
      const ticket = await post<{ url: string }>('/v2/admin/queue-dashboard/ticket');
      location.assign(ticket.url);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <>
      <h1>{t('jobs.title')}</h1>
      {stats.loading && !stats.value && <p>{t('loading')}</p>}
      <ProblemAlert error={stats.error} />
      <ProblemAlert error={error} />
      {stats.value && (
        <>
          <p class="notice">{t(stats.value.transport === 'bullmq' ? 'jobs.bullmq' : 'jobs.embedded')}</p>
          <div class="toolbar">
            {stats.value.dashboard && (
              <button type="button" onClick={() => void openDashboard()}>
                {t('jobs.dashboard')}
              </button>
            )}
            <button type="button" class="secondary" onClick={stats.reload}>
              {t('reload')}
            </button>
          </div>
          <table>
            <caption>{t('jobs.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('jobs.type')}</th>
                <th scope="col">{t('jobs.queue')}</th>
                <th scope="col">{t('jobs.state')}</th>
                <th scope="col">{t('jobs.count')}</th>
              </tr>
            </thead>
            <tbody>
              {stats.value.items.length === 0 && (
                <tr>
                  <td colSpan={4}>{t('none')}</td>
                </tr>
              )}
              {stats.value.items.map((item) => (
                <tr key={`${item.type}/${item.state}`}>
                  <th scope="row">
                    <code>{item.type}</code>
                  </th>
                  <td>
                    <code>{item.queue}</code>
                  </td>
                  <td>{t(`jobs.state.${item.state}`)}</td>
                  <td class="number">{item.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
