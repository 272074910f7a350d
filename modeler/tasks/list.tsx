/**
 * The clerk's task list (my tasks, my groups' tasks, all I may see, with their counts) and the case search:
 * the same filters (process, due date, status, case number, applicant) and sorting, a table each. Overdue
 * tasks and reached follow-up dates are marked in words, not by colour alone. Claim and release work from
 * the list.
 */
import { useId, useState } from 'preact/hooks';
import { del, post, type SearchPage } from '../src/shared/api.js';
import { formatDate, formatDateTime } from '../src/shared/i18n.js';
import { ProblemAlert, useLoad } from '../src/shared/ui.js';
import { t } from './messages.js';

export interface WorklistItem {
  readonly userTaskKey: string;
  readonly name: string | null;
  readonly elementId: string;
  readonly processInstanceKey: string;
  readonly bpmnProcessId: string;
  readonly caseNumber: string | null;
  readonly applicantName: string | null;
  readonly serviceTitle: string | null;
  readonly assignee: string | null;
  readonly candidateGroups: readonly string[];
  readonly dueDate: string | null;
  readonly followUpDate: string | null;
  readonly overdue: boolean;
  readonly followUpDue: boolean;
  readonly state: string;
}

interface Worklist {
  readonly items: readonly WorklistItem[];
  readonly counts: { mine: number; groups: number; unassigned: number; overdue: number; total: number };
  readonly page: { totalItems: number };
}

export interface CaseItem {
  readonly processInstanceKey: string;
  readonly caseNumber: string | null;
  readonly bpmnProcessId: string;
  readonly state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  readonly hasIncident: boolean;
  readonly startDate: string;
  readonly serviceTitle: string | null;
  readonly applicantName: string | null;
  readonly openTasks: readonly string[];
}

interface Filters {
  bpmnProcessId: string;
  dueBefore: string;
  state: string;
  caseNumber: string;
  applicant: string;
  sortField: string;
  sortOrder: 'ASC' | 'DESC';
}

/** The deployed processes of the tenant, for the process filter (newest version's name per id). */
function useProcesses() {
  return useLoad(async () => {
    const page = await post<SearchPage<{ bpmnProcessId: string; name: string | null }>>(
      '/v2/process-definitions/search',
      { page: { limit: 200 } },
    );
    const byId = new Map<string, string>();
    for (const definition of page.items)
      byId.set(definition.bpmnProcessId, definition.name ?? definition.bpmnProcessId);
    return [...byId].sort((a, b) => a[1].localeCompare(b[1]));
  }, []);
}

function FilterForm(props: {
  kind: 'tasks' | 'cases';
  value: Filters;
  onApply: (filters: Filters) => void;
  defaults: Filters;
}) {
  const id = useId();
  const processes = useProcesses();
  const [draft, setDraft] = useState(props.value);
  const set = (name: keyof Filters) => (event: Event) =>
    setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value });
  const states =
    props.kind === 'tasks'
      ? [
          ['CREATED', 'filter.state.open'],
          ['COMPLETED', 'filter.state.completed'],
        ]
      : [
          ['', 'filter.state.any'],
          ['ACTIVE', 'filter.state.active'],
          ['COMPLETED', 'filter.state.completed'],
          ['TERMINATED', 'filter.state.terminated'],
        ];
  const sorts =
    props.kind === 'tasks' ? ['dueDate', 'creationDate', 'caseNumber', 'priority'] : ['startDate', 'caseNumber'];
  const select = (name: keyof Filters, label: string, options: string[][]) => (
    <div class="field">
      <label for={`${id}-${name}`}>{label}</label>
      <select id={`${id}-${name}`} name={name} value={draft[name]} onChange={set(name)}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  const input = (name: keyof Filters, label: string, type = 'text') => (
    <div class="field">
      <label for={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} name={name} type={type} value={draft[name]} onInput={set(name)} />
    </div>
  );
  return (
    <form
      class="panel"
      aria-label={t('filter.title')}
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply(draft);
      }}
    >
      <div class="filters">
        {select('bpmnProcessId', t('filter.process'), [
          ['', t('filter.process.any')],
          ...(processes.value ?? []).map(([value, name]) => [value, name]),
        ])}
        {input('dueBefore', t('filter.dueBefore'), 'date')}
        {select(
          'state',
          t('filter.state'),
          states.map(([value, key]) => [value!, t(key!)]),
        )}
        {input('caseNumber', t('filter.caseNumber'))}
        {input('applicant', t('filter.applicant'))}
        {select(
          'sortField',
          t('filter.sort'),
          sorts.map((field) => [field, t(`sort.${field}`)]),
        )}
        {select('sortOrder', t('sort.order'), [
          ['ASC', t('sort.asc')],
          ['DESC', t('sort.desc')],
        ])}
      </div>
      <div class="toolbar">
        <button type="submit">{t('filter.apply')}</button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setDraft(props.defaults);
            props.onApply(props.defaults);
          }}
        >
          {t('filter.reset')}
        </button>
      </div>
    </form>
  );
}

/** The search body's filter from the form (empty fields left out; a due date means the end of that day). */
function filterOf(filters: Filters): Record<string, string> {
  const filter: Record<string, string> = {};
  if (filters.bpmnProcessId) filter.bpmnProcessId = filters.bpmnProcessId;
  if (filters.state) filter.state = filters.state;
  if (filters.caseNumber.trim()) filter.caseNumber = filters.caseNumber.trim();
  if (filters.applicant.trim()) filter.applicant = filters.applicant.trim();
  if (filters.dueBefore) filter.dueBefore = new Date(`${filters.dueBefore}T23:59:59`).toISOString();
  return filter;
}

const TASK_DEFAULTS: Filters = {
  bpmnProcessId: '',
  dueBefore: '',
  state: 'CREATED',
  caseNumber: '',
  applicant: '',
  sortField: 'dueDate',
  sortOrder: 'ASC',
};

type Scope = 'mine' | 'groups' | 'all';

export function TaskList(props: { userId: string }) {
  const [scope, setScope] = useState<Scope>((sessionStorage.getItem('prozessplattform.tasks.scope') as Scope) ?? 'all');
  const [filters, setFilters] = useState(TASK_DEFAULTS);
  const [error, setError] = useState<unknown>();
  const list = useLoad(
    () =>
      post<Worklist>('/v2/worklist/search', {
        filter: { scope, ...filterOf(filters) },
        sort: { field: filters.sortField, order: filters.sortOrder },
        page: { limit: 100 },
      }),
    [scope, filters],
  );
  const choose = (next: Scope) => {
    sessionStorage.setItem('prozessplattform.tasks.scope', next);
    setScope(next);
  };
  const act = async (work: Promise<unknown>) => {
    setError(undefined);
    try {
      await work;
      list.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  const counts = list.value?.counts;
  return (
    <>
      <h1>{t('tasks.title')}</h1>
      <div class="tabs" role="group" aria-label={t('scope.label')}>
        {(['mine', 'groups', 'all'] as const).map((value) => (
          <button
            key={value}
            type="button"
            class={scope === value ? '' : 'secondary'}
            aria-pressed={scope === value}
            onClick={() => choose(value)}
          >
            {t(`scope.${value}`, { count: counts ? counts[value === 'all' ? 'total' : value] : '…' })}
          </button>
        ))}
        {counts && counts.overdue > 0 && (
          <span class="badge overdue">{t('counts.overdue', { count: counts.overdue })}</span>
        )}
      </div>
      <FilterForm kind="tasks" value={filters} defaults={TASK_DEFAULTS} onApply={setFilters} />
      <ProblemAlert error={error ?? list.error} />
      {list.loading && !list.value && <p>{t('loading')}</p>}
      {list.value && (
        <table class="task-table">
          <caption aria-live="polite">{t('list.caption', { count: list.value.page.totalItems })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('list.task')}</th>
              <th scope="col">{t('list.case')}</th>
              <th scope="col">{t('list.applicant')}</th>
              <th scope="col">{t('list.service')}</th>
              <th scope="col">{t('list.due')}</th>
              <th scope="col">{t('list.followUp')}</th>
              <th scope="col">{t('list.assignee')}</th>
              <th scope="col">{t('list.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.value.items.length === 0 && (
              <tr>
                <td colSpan={8}>{t('list.empty')}</td>
              </tr>
            )}
            {list.value.items.map((task) => {
              const name = task.name ?? task.elementId;
              const names = { task: name, case: task.caseNumber ?? task.processInstanceKey };
              return (
                <tr key={task.userTaskKey} class={task.overdue ? 'row-overdue' : undefined}>
                  <td>
                    <a href={`/tasks/task/${task.userTaskKey}`} aria-label={t('list.open', names)}>
                      {name}
                    </a>
                  </td>
                  <td>{task.caseNumber ?? '–'}</td>
                  <td>{task.applicantName ?? '–'}</td>
                  <td>{task.serviceTitle ?? task.bpmnProcessId}</td>
                  <td>
                    {formatDate(task.dueDate)}
                    {task.overdue && <span class="badge overdue"> {t('list.overdue')}</span>}
                  </td>
                  <td>
                    {formatDate(task.followUpDate)}
                    {task.followUpDue && <span class="badge follow-up"> {t('list.followUpDue')}</span>}
                  </td>
                  <td>{task.assignee ?? <span class="hint">{t('list.unassigned')}</span>}</td>
                  <td>
                    {task.state === 'CREATED' &&
                      (task.assignee === props.userId ? (
                        <button
                          type="button"
                          class="secondary"
                          aria-label={t('list.unclaim', names)}
                          onClick={() => act(del(`/v2/user-tasks/${task.userTaskKey}/assignee`))}
                        >
                          {t('list.unclaim.short')}
                        </button>
                      ) : (
                        <button
                          type="button"
                          aria-label={t('list.claim', names)}
                          onClick={() =>
                            act(
                              post(`/v2/user-tasks/${task.userTaskKey}/assignment`, {
                                assignee: props.userId,
                                allowOverride: false,
                              }),
                            )
                          }
                        >
                          {t('list.claim.short')}
                        </button>
                      ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

const CASE_DEFAULTS: Filters = { ...TASK_DEFAULTS, state: '', sortField: 'startDate', sortOrder: 'DESC' };

export function CaseSearch() {
  const [filters, setFilters] = useState(CASE_DEFAULTS);
  const list = useLoad(
    () =>
      post<{ items: CaseItem[]; page: { totalItems: number } }>('/v2/cases/search', {
        filter: filterOf(filters),
        sort: { field: filters.sortField, order: filters.sortOrder },
        page: { limit: 100 },
      }),
    [filters],
  );
  return (
    <>
      <h1>{t('cases.title')}</h1>
      <FilterForm kind="cases" value={filters} defaults={CASE_DEFAULTS} onApply={setFilters} />
      <ProblemAlert error={list.error} />
      {list.loading && !list.value && <p>{t('loading')}</p>}
      {list.value && (
        <table>
          <caption aria-live="polite">{t('cases.caption', { count: list.value.page.totalItems })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('list.case')}</th>
              <th scope="col">{t('list.applicant')}</th>
              <th scope="col">{t('list.service')}</th>
              <th scope="col">{t('cases.state')}</th>
              <th scope="col">{t('cases.started')}</th>
              <th scope="col">{t('cases.openTasks')}</th>
            </tr>
          </thead>
          <tbody>
            {list.value.items.length === 0 && (
              <tr>
                <td colSpan={6}>{t('list.empty')}</td>
              </tr>
            )}
            {list.value.items.map((item) => (
              <tr key={item.processInstanceKey}>
                <td>
                  <a href={`/tasks/cases/${item.processInstanceKey}`}>{item.caseNumber ?? item.processInstanceKey}</a>
                </td>
                <td>{item.applicantName ?? '–'}</td>
                <td>{item.serviceTitle ?? item.bpmnProcessId}</td>
                <td>
                  {t(`state.${item.state}`)}
                  {item.hasIncident && <span class="badge overdue"> {t('state.incident')}</span>}
                </td>
                <td>{formatDateTime(item.startDate)}</td>
                <td>{item.openTasks.join(', ') || '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
