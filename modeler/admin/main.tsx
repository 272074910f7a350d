/**
 * The administration (issue #5), at /admin/: running cases per process version with a heatmap on the
 * diagram (`#/`, `#/process/<key>`), open incidents with retry and resolve (`#/incidents`), jobs per queue
 * (`#/jobs`), organisational units (`#/units`), staff members seen (`#/staff`), the directory of
 * authorities (`#/authorities`), imports with their reports (`#/imports`) and code lists (`#/code-lists`).
 * Hash routes, so the API's fallback serves this page for every state.
 */
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../src/shared/api.js';
import { translator } from '../src/shared/i18n.js';
import { mount } from '../src/shared/mount.js';
import { Layout, LoginPage, useAppState } from '../src/shared/ui.js';
import { AuthoritiesPage } from './authorities.js';
import { CasesPage, HeatmapPage } from './cases.js';
import { CodeListsPage } from './code-lists.js';
import { ImportsPage } from './imports.js';
import { IncidentsPage } from './incidents.js';
import { JobsPage } from './jobs.js';
import { messages } from './messages.js';
import { StaffPage, UnitsPage } from './units.js';
import './admin.css';

export const t = translator(messages);

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

const PAGES = [
  ['#/', 'nav.cases'],
  ['#/incidents', 'nav.incidents'],
  ['#/jobs', 'nav.jobs'],
  ['#/units', 'nav.units'],
  ['#/staff', 'nav.staff'],
  ['#/authorities', 'nav.authorities'],
  ['#/imports', 'nav.imports'],
  ['#/code-lists', 'nav.codeLists'],
] as const;

function Admin() {
  useSession('staff');
  const { claims } = useAppState('staff');
  const hash = useHash();
  if (!claims) return <LoginPage kind="staff" title={t('admin.login')} defaults={{ roles: ['admin'] }} />;
  if (!(claims.roles ?? []).includes('admin'))
    return (
      <Layout title={t('admin.title')} kind="staff">
        <h1>{t('admin.title')}</h1>
        <p role="alert">{t('admin.forbidden')}</p>
      </Layout>
    );
  const path = hash.replace(/^#?\/?/, '#/');
  const process = /^#\/process\/(\d+)$/.exec(path);
  const current = process ? '#/' : (PAGES.find(([href]) => href === path)?.[0] ?? '#/');
  const nav = PAGES.map(([href, key]) => ({ href, label: t(key), current: href === current }));
  const title = t(PAGES.find(([href]) => href === current)?.[1] ?? 'nav.cases');
  return (
    <Layout title={title} kind="staff" nav={nav}>
      {process ? (
        <HeatmapPage processDefinitionKey={process[1]} />
      ) : current === '#/incidents' ? (
        <IncidentsPage />
      ) : current === '#/jobs' ? (
        <JobsPage />
      ) : current === '#/units' ? (
        <UnitsPage />
      ) : current === '#/staff' ? (
        <StaffPage />
      ) : current === '#/authorities' ? (
        <AuthoritiesPage />
      ) : current === '#/imports' ? (
        <ImportsPage />
      ) : current === '#/code-lists' ? (
        <CodeListsPage />
      ) : (
        <CasesPage />
      )}
    </Layout>
  );
}

mount(Admin);
