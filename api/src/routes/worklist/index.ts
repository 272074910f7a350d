/**
 * The clerks' work list and case search: the rows the task list and the case search show, with what a
 * clerk looks for beside the task itself — the case number, the applicant and the service of the
 * application — and the filters of the task list (scope mine / my groups, process, due date, state, case
 * number, applicant), sorting and the counts of the list's tabs. Visibility is the user-task routes': a
 * clerk sees tasks assigned or offered to them or their groups, an administrator the whole tenant.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import { staffOf } from '../../plugins/auth.js';
import { problems, ref, tenantScope } from '../support.js';

interface TaskFilter {
  scope?: 'mine' | 'groups' | 'all';
  processInstanceKey?: string;
  state?: 'CREATED' | 'COMPLETED' | 'CANCELED';
  assigned?: boolean;
  bpmnProcessId?: string;
  caseNumber?: string;
  applicant?: string;
  dueBefore?: string;
}

interface CaseFilter {
  state?: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  bpmnProcessId?: string;
  caseNumber?: string;
  applicant?: string;
  dueBefore?: string;
}

interface Search<F, S extends string> {
  filter?: F;
  sort?: { field: S; order?: 'ASC' | 'DESC' };
  page?: { limit?: number; offset?: number };
}

/** `%text%` for ILIKE, with the caller's wildcards taken literally */
const contains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The applicant's name: the `applicant` variable an application sets on the case. */
const applicantName = sql<string | null>`(select cast(v.value as jsonb) ->> 'name' from variable v
  where v.process_instance_key = p.key and v.scope_key = p.key and v.name = 'applicant' limit 1)`;

function viewOf(request: FastifyRequest) {
  const staff = staffOf(request);
  return { userId: staff.userId, groups: [...staff.groups], admin: staff.roles.includes('admin') };
}

export const worklistRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  app.post<{ Body: Search<TaskFilter, 'dueDate' | 'creationDate' | 'caseNumber' | 'priority'> }>('/worklist/search', {
    config: { access: { staff: ['clerk', 'admin'] } },
    schema: {
      tags: ['User tasks'],
      description:
        'the task list: tasks with case number, applicant and service; filters, sorting and the counts of mine, my groups, unassigned and overdue',
      body: ref('worklist.search-request'),
      response: { 200: ref('worklist.search-result'), ...problems },
    },
    handler: async (request) => {
      const view = viewOf(request);
      const { filter = {}, sort, page } = request.body ?? {};
      const limit = page?.limit ?? 50;
      const offset = page?.offset ?? 0;
      const now = new Date();
      return engine.scoped(tenantScope(request), async (db) => {
        // group names are never empty, so [''] matches no group (an empty array literal needs no special case)
        const groups = sql`cast(${sql.val(view.groups.length ? view.groups : [''])} as text[])`;
        const mine = sql<SqlBool>`t.assignee = ${view.userId}`;
        const offered = sql<SqlBool>`(t.candidate_groups && ${groups} or ${view.userId} = any(t.candidate_users))`;
        const visible: Expression<SqlBool> = view.admin ? sql<SqlBool>`true` : sql<SqlBool>`(${mine} or ${offered})`;
        let base = db
          .selectFrom('user_task as t')
          .innerJoin('process_instance as p', 'p.key', 't.process_instance_key')
          .leftJoin('application as a', 'a.process_instance_key', 't.root_key')
          .leftJoin('service as s', (join) =>
            join.onRef('s.tenant_id', '=', 'a.tenant_id').onRef('s.service_id', '=', 'a.service_id'),
          )
          .where(visible);
        // the counts of the tabs: over what the caller sees that is open, independent of the other filters
        const counts = await base
          .where('t.state', '=', 'CREATED')
          .select([
            sql<number>`count(*) filter (where ${mine})`.as('mine'),
            sql<number>`count(*) filter (where t.assignee is null and ${offered})`.as('groups'),
            sql<number>`count(*) filter (where t.assignee is null)`.as('unassigned'),
            sql<number>`count(*) filter (where t.due_date < ${now})`.as('overdue'),
            sql<number>`count(*)`.as('total'),
          ])
          .executeTakeFirstOrThrow();

        if (filter.scope === 'mine') base = base.where(mine);
        else if (filter.scope === 'groups') base = base.where('t.assignee', 'is', null).where(offered);
        base = base.where('t.state', '=', filter.state ?? 'CREATED');
        if (filter.assigned !== undefined) base = base.where('t.assignee', filter.assigned ? 'is not' : 'is', null);
        if (filter.processInstanceKey) base = base.where('t.root_key', '=', filter.processInstanceKey);
        if (filter.bpmnProcessId) base = base.where('t.bpmn_process_id', '=', filter.bpmnProcessId);
        if (filter.caseNumber) base = base.where(sql<SqlBool>`p.business_key ilike ${contains(filter.caseNumber)}`);
        if (filter.applicant) base = base.where(sql<SqlBool>`${applicantName} ilike ${contains(filter.applicant)}`);
        if (filter.dueBefore) base = base.where('t.due_date', '<=', new Date(filter.dueBefore));
        const { total } = await base.select(sql<number>`count(*)`.as('total')).executeTakeFirstOrThrow();

        const order = sort?.order === 'DESC' ? 'desc' : 'asc';
        const column = {
          dueDate: 't.due_date',
          creationDate: 't.creation_date',
          caseNumber: 'p.business_key',
          priority: 't.priority',
        }[sort?.field ?? 'dueDate'] as 't.due_date';
        const rows = await base
          .select([
            't.key',
            't.name',
            't.element_id',
            't.process_instance_key',
            't.root_key',
            't.bpmn_process_id',
            't.assignee',
            't.candidate_groups',
            't.due_date',
            't.follow_up_date',
            't.priority',
            't.state',
            't.creation_date',
            'p.business_key',
            's.title',
            applicantName.as('applicant_name'),
          ])
          .orderBy(sql`${sql.ref(column)} ${sql.raw(order)} nulls last`)
          .orderBy('t.key')
          .limit(limit)
          .offset(offset)
          .execute();
        return {
          items: rows.map((row) => ({
            userTaskKey: row.key,
            name: row.name,
            elementId: row.element_id,
            processInstanceKey: row.process_instance_key,
            rootProcessInstanceKey: row.root_key,
            bpmnProcessId: row.bpmn_process_id,
            caseNumber: row.business_key,
            applicantName: row.applicant_name,
            serviceTitle: row.title,
            assignee: row.assignee,
            candidateGroups: row.candidate_groups,
            dueDate: row.due_date ? new Date(row.due_date).toISOString() : null,
            followUpDate: row.follow_up_date ? new Date(row.follow_up_date).toISOString() : null,
            overdue: row.due_date !== null && new Date(row.due_date) < now,
            followUpDue: row.follow_up_date !== null && new Date(row.follow_up_date) < now,
            priority: row.priority,
            state: row.state,
            creationDate: new Date(row.creation_date).toISOString(),
          })),
          counts: {
            mine: Number(counts.mine),
            groups: Number(counts.groups),
            unassigned: Number(counts.unassigned),
            overdue: Number(counts.overdue),
            total: Number(counts.total),
          },
          page: { totalItems: Number(total), limit, offset },
        };
      });
    },
  });

  app.post<{ Body: Search<CaseFilter, 'startDate' | 'caseNumber'> }>('/cases/search', {
    config: { access: { staff: ['clerk', 'admin'] } },
    schema: {
      tags: ['Process instances'],
      description: "the case search over the tenant's cases: case number, applicant, service, state and open tasks",
      body: ref('case.search-request'),
      response: { 200: ref('case.search-result'), ...problems },
    },
    handler: async (request) => {
      const { filter = {}, sort, page } = request.body ?? {};
      const limit = page?.limit ?? 50;
      const offset = page?.offset ?? 0;
      return engine.scoped(tenantScope(request), async (db) => {
        let base = db
          .selectFrom('process_instance as p')
          .leftJoin('application as a', 'a.process_instance_key', 'p.key')
          .leftJoin('service as s', (join) =>
            join.onRef('s.tenant_id', '=', 'a.tenant_id').onRef('s.service_id', '=', 'a.service_id'),
          )
          .where('p.parent_key', 'is', null);
        if (filter.state) base = base.where('p.state', '=', filter.state);
        if (filter.bpmnProcessId) base = base.where('p.bpmn_process_id', '=', filter.bpmnProcessId);
        if (filter.caseNumber) base = base.where(sql<SqlBool>`p.business_key ilike ${contains(filter.caseNumber)}`);
        if (filter.applicant) base = base.where(sql<SqlBool>`${applicantName} ilike ${contains(filter.applicant)}`);
        if (filter.dueBefore)
          base = base.where(
            sql<SqlBool>`exists (select 1 from user_task d where d.root_key = p.key and d.state = 'CREATED'
              and d.due_date <= ${new Date(filter.dueBefore)})`,
          );
        const { total } = await base.select(sql<number>`count(*)`.as('total')).executeTakeFirstOrThrow();
        const order = sort?.order === 'ASC' ? 'asc' : 'desc';
        const column = sort?.field === 'caseNumber' ? 'p.business_key' : 'p.start_date';
        const rows = await base
          .select([
            'p.key',
            'p.business_key',
            'p.bpmn_process_id',
            'p.state',
            'p.has_incident',
            'p.start_date',
            'p.end_date',
            's.title',
            applicantName.as('applicant_name'),
            sql<string[]>`array(select coalesce(o.name, o.element_id) from user_task o
              where o.root_key = p.key and o.state = 'CREATED' order by o.key)`.as('open_tasks'),
          ])
          .orderBy(sql`${sql.ref(column)} ${sql.raw(order)} nulls last`)
          .orderBy('p.key', 'desc')
          .limit(limit)
          .offset(offset)
          .execute();
        return {
          items: rows.map((row) => ({
            processInstanceKey: row.key,
            caseNumber: row.business_key,
            bpmnProcessId: row.bpmn_process_id,
            state: row.state,
            hasIncident: Boolean(row.has_incident),
            startDate: new Date(row.start_date).toISOString(),
            endDate: row.end_date ? new Date(row.end_date).toISOString() : null,
            serviceTitle: row.title,
            applicantName: row.applicant_name,
            openTasks: row.open_tasks,
          })),
          page: { totalItems: Number(total), limit, offset },
        };
      });
    },
  });
};
