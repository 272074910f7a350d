/**
 * The clerks' task list (Sachbearbeitung) at `/tasks/`: the work list, the task view with everything a
 * decision needs, and the case search over the tenant's cases.
 *
 * Routes: `/tasks/` work list · `/tasks/task/<userTaskKey>` · `/tasks/cases` · `/tasks/cases/<key>`.
 */
import { useSession } from '../src/shared/api.js';
import '../src/shared/casework.css';
import { mount } from '../src/shared/mount.js';
import { useRoute } from '../src/shared/router.js';
import { Layout, LoginPage, useAppState } from '../src/shared/ui.js';
import { CaseSearch, TaskList } from './list.js';
import { t } from './messages.js';
import { CaseView, TaskView } from './task.js';

useSession('staff');

const BASE = '/tasks/';

function Tasks() {
  const { claims } = useAppState('staff');
  const { segments } = useRoute(BASE);
  if (!claims)
    return (
      <LoginPage
        kind="staff"
        title={t('tasks.login')}
        defaults={{
          userId: 'mueller',
          name: 'Sachbearbeiterin Müller',
          roles: ['clerk'],
          groups: 'strassenverkehrsbehoerde',
        }}
      />
    );
  const [page, key] = segments;
  const nav = [
    { href: BASE, label: t('nav.tasks'), current: page !== 'cases' },
    { href: `${BASE}cases`, label: t('nav.cases'), current: page === 'cases' },
  ];
  const content =
    page === 'task' && key ? (
      <TaskView key={key} userTaskKey={key} userId={claims.sub} />
    ) : page === 'cases' && key ? (
      <CaseView key={key} processInstanceKey={key} />
    ) : page === 'cases' ? (
      <CaseSearch />
    ) : (
      <TaskList userId={claims.sub} />
    );
  return (
    <Layout title={t('tasks.title')} kind="staff" nav={nav}>
      {content}
    </Layout>
  );
}

mount(Tasks);
