/**
 * Searches over the query tables (process instances, user tasks, incidents, variables, process definitions)
 * in the Camunda 8 REST v2 shape, built by `store/search.ts`. The caller's tenants (and, for clerks, the
 * visibility of tasks) are conditions the request cannot override; with tenants the search runs under
 * row-level security, too.
 */
import { sql, type RawBuilder } from 'kysely';
import type {
  IncidentRow,
  ProcessDefinitionRow,
  ProcessInstanceRow,
  UserTaskRow,
  VariableRow,
} from '../store/database.js';
import { search, type FieldSpec, type SearchPage, type SearchQuery, type TableSpec } from '../store/search.js';
import type { EngineContext } from './engine-context.js';
import { rejectWith, toIncident, toInstanceSummary, toUserTask } from './service-support.js';
import type {
  IncidentInfo,
  IncidentSearch,
  InstanceSearch,
  ProcessDefinitionInfo,
  ProcessInstanceSummary,
  TenantScope,
  UserTaskInfo,
  UserTaskSearch,
  VariableInfo,
} from './types.js';

const key = (column: string): FieldSpec => ({ column, type: 'key', sortable: true });
const text = (column: string, values?: readonly string[]): FieldSpec => ({
  column,
  type: 'string',
  sortable: true,
  values,
});
const date = (column: string): FieldSpec => ({ column, type: 'date', sortable: true });

/** A variable value as the runtime stores it (JSON text), for equality through the md5 index. */
function variableValueEquals(column: string, value: unknown, path: string): RawBuilder<boolean> {
  if (value === undefined) rejectWith('INVALID_ARGUMENT', `Expected ${path} to be a JSON value, but it is missing.`);
  const json = JSON.stringify(value);
  return sql<boolean>`md5(${sql.raw(column)}) = md5(${json}) AND ${sql.raw(column)} = ${json}`;
}

function variableConditions(value: unknown, path: string): RawBuilder<boolean> {
  if (!Array.isArray(value) || value.length === 0 || value.length > 10)
    rejectWith('INVALID_ARGUMENT', `Expected ${path} to be a list of 1 to 10 { name, value } pairs, but it is not.`);
  return sql.join(
    value.map((pair: unknown, i) => {
      const { name, value: expected } = (pair ?? {}) as { name?: unknown; value?: unknown };
      if (typeof name !== 'string' || name === '')
        rejectWith('INVALID_ARGUMENT', `Expected ${path}[${i}].name to be a variable name, but it is not.`);
      // the instance's own variables (Camunda: process variables), not those of inner scopes
      return sql<boolean>`EXISTS (SELECT 1 FROM variable v WHERE v.tenant_id = process_instance.tenant_id
        AND v.name = ${name} AND v.scope_key = process_instance.key
        AND ${variableValueEquals('v.value', expected, `${path}[${i}].value`)})`;
    }),
    sql` AND `,
  ) as RawBuilder<boolean>;
}

const processInstances: TableSpec<ProcessInstanceRow, ProcessInstanceSummary> = {
  table: 'process_instance',
  columns: [
    'key',
    'tenant_id',
    'root_key',
    'parent_key',
    'parent_element_instance_key',
    'process_definition_key',
    'bpmn_process_id',
    'version',
    'state',
    'business_key',
    'has_incident',
    'start_date',
    'end_date',
  ],
  fields: {
    processInstanceKey: key('key'),
    rootProcessInstanceKey: key('root_key'),
    parentProcessInstanceKey: key('parent_key'),
    processDefinitionKey: key('process_definition_key'),
    bpmnProcessId: text('bpmn_process_id'),
    version: { column: 'version', type: 'integer', sortable: true },
    state: text('state', ['ACTIVE', 'COMPLETED', 'TERMINATED']),
    businessKey: text('business_key'),
    hasIncident: { column: 'has_incident', type: 'boolean' },
    tenantId: text('tenant_id'),
    startDate: date('start_date'),
    endDate: date('end_date'),
  },
  customFilters: { variables: variableConditions },
  tieBreaker: 'processInstanceKey',
  toItem: toInstanceSummary,
};

const userTasks: TableSpec<UserTaskRow, UserTaskInfo> = {
  table: 'user_task',
  columns: ['*'],
  fields: {
    userTaskKey: key('key'),
    processInstanceKey: key('process_instance_key'),
    rootProcessInstanceKey: key('root_key'),
    processDefinitionKey: key('process_definition_key'),
    elementInstanceKey: key('element_instance_key'),
    bpmnProcessId: text('bpmn_process_id'),
    elementId: text('element_id'),
    name: text('name'),
    assignee: text('assignee'),
    candidateGroups: { column: 'candidate_groups', type: 'strings' },
    candidateUsers: { column: 'candidate_users', type: 'strings' },
    state: text('state', ['CREATED', 'COMPLETED', 'CANCELED']),
    priority: { column: 'priority', type: 'integer', sortable: true },
    dueDate: date('due_date'),
    followUpDate: date('follow_up_date'),
    creationDate: date('creation_date'),
    completionDate: date('completion_date'),
    formKey: key('form_key'),
    tenantId: text('tenant_id'),
  },
  customFilters: {
    // the case number lives on the instance
    businessKey: (value, path) => {
      if (typeof value !== 'string')
        rejectWith('INVALID_ARGUMENT', `Expected ${path} to be a case number, but it is not.`);
      return sql<boolean>`EXISTS (SELECT 1 FROM process_instance p WHERE p.key = user_task.process_instance_key
        AND p.business_key = ${value})`;
    },
  },
  tieBreaker: 'userTaskKey',
  toItem: toUserTask,
};

const incidents: TableSpec<IncidentRow, IncidentInfo> = {
  table: 'incident',
  columns: ['*'],
  fields: {
    incidentKey: key('key'),
    processInstanceKey: key('process_instance_key'),
    rootProcessInstanceKey: key('root_key'),
    processDefinitionKey: key('process_definition_key'),
    elementInstanceKey: key('element_instance_key'),
    bpmnProcessId: text('bpmn_process_id'),
    elementId: text('element_id'),
    errorType: text('error_type'),
    errorMessage: text('error_message'),
    jobKey: key('job_key'),
    state: text('state', ['ACTIVE', 'RESOLVED']),
    creationDate: date('created_at'),
    tenantId: text('tenant_id'),
  },
  tieBreaker: 'incidentKey',
  toItem: toIncident,
};

const variables: TableSpec<VariableRow, VariableInfo> = {
  table: 'variable',
  columns: ['*'],
  fields: {
    variableKey: key('key'),
    name: text('name'),
    processInstanceKey: key('process_instance_key'),
    rootProcessInstanceKey: key('root_key'),
    scopeKey: key('scope_key'),
    tenantId: text('tenant_id'),
    updatedAt: date('updated_at'),
  },
  customFilters: { value: (value, path) => variableValueEquals('value', value, path) },
  tieBreaker: 'variableKey',
  toItem: (row) => ({
    variableKey: row.key,
    name: row.name,
    value: JSON.parse(row.value) as unknown,
    processInstanceKey: row.process_instance_key,
    rootProcessInstanceKey: row.root_key,
    scopeKey: row.scope_key,
    tenantId: row.tenant_id,
  }),
};

const processDefinitions: TableSpec<ProcessDefinitionRow, ProcessDefinitionInfo> = {
  table: 'process_definition',
  columns: ['key', 'tenant_id', 'bpmn_process_id', 'version', 'version_tag', 'name', 'resource_name', 'deployment_key'],
  fields: {
    processDefinitionKey: key('key'),
    bpmnProcessId: text('bpmn_process_id'),
    version: { column: 'version', type: 'integer', sortable: true },
    versionTag: text('version_tag'),
    name: text('name'),
    resourceName: text('resource_name'),
    deploymentKey: key('deployment_key'),
    tenantId: text('tenant_id'),
  },
  customFilters: {
    isLatestVersion: (value, path) => {
      if (typeof value !== 'boolean')
        rejectWith('INVALID_ARGUMENT', `Expected ${path} to be true or false, but it is not.`);
      const latest = sql<boolean>`version = (SELECT max(n.version) FROM process_definition n
        WHERE n.tenant_id = process_definition.tenant_id AND n.bpmn_process_id = process_definition.bpmn_process_id)`;
      return value ? latest : sql<boolean>`NOT (${latest})`;
    },
  },
  tieBreaker: 'processDefinitionKey',
  toItem: (row) => ({
    processDefinitionKey: row.key,
    bpmnProcessId: row.bpmn_process_id,
    version: row.version,
    versionTag: row.version_tag,
    name: row.name,
    resourceName: row.resource_name,
    tenantId: row.tenant_id,
    deploymentKey: row.deployment_key,
  }),
};

function tenantCondition(scope: TenantScope | undefined): RawBuilder<boolean>[] {
  if (!scope?.tenantIds) return [];
  if (scope.tenantIds.length === 0) return [sql<boolean>`false`];
  return [sql<boolean>`tenant_id IN (${sql.join(scope.tenantIds.map((id) => sql.val(id)))})`];
}

function run<Row, Item>(
  ctx: EngineContext,
  spec: TableSpec<Row, Item>,
  query: SearchQuery,
  scope: TenantScope | undefined,
  extra: RawBuilder<boolean>[] = [],
): Promise<SearchPage<Item>> {
  return ctx.read(scope, (db) => search(db, spec, query, [...tenantCondition(scope), ...extra]));
}

/** Who is looking at tasks: a clerk sees tasks assigned to them or offered to them or one of their groups. */
export interface TaskVisibility {
  readonly userId: string;
  readonly groups?: readonly string[];
}

export const searchService = {
  processInstances: (ctx: EngineContext, query: SearchQuery, scope?: TenantScope) =>
    run(ctx, processInstances, query, scope),
  userTasks: (ctx: EngineContext, query: SearchQuery, scope?: TenantScope & { visibleTo?: TaskVisibility }) => {
    const visibleTo = scope?.visibleTo;
    const groups = visibleTo?.groups ?? [];
    const visibility = visibleTo
      ? [
          sql<boolean>`(assignee = ${visibleTo.userId} OR ${visibleTo.userId} = ANY(candidate_users)${
            groups.length ? sql` OR candidate_groups && ${sql.val([...groups])}::text[]` : sql``
          })`,
        ]
      : [];
    return run(ctx, userTasks, query, scope, visibility);
  },
  incidents: (ctx: EngineContext, query: SearchQuery, scope?: TenantScope) => run(ctx, incidents, query, scope),
  variables: (ctx: EngineContext, query: SearchQuery, scope?: TenantScope) => run(ctx, variables, query, scope),
  processDefinitions: (ctx: EngineContext, query: SearchQuery, scope?: TenantScope) =>
    run(ctx, processDefinitions, query, scope),
};

const isoOf = (value: Date | string | undefined) => (value === undefined ? undefined : new Date(value).toISOString());
const withoutUndefined = (filter: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));

/** The engine's typed filters (workers, tests, the conformance driver), expressed as generic searches. */
export async function searchInstances(ctx: EngineContext, f: InstanceSearch = {}): Promise<ProcessInstanceSummary[]> {
  const started = withoutUndefined({ $gte: isoOf(f.startedAfter), $lt: isoOf(f.startedBefore) });
  const filter = withoutUndefined({
    bpmnProcessId: f.bpmnProcessId,
    processDefinitionKey: f.processDefinitionKey,
    state: f.state,
    businessKey: f.businessKey,
    hasIncident: f.hasIncident,
    parentProcessInstanceKey: f.rootOnly ? { $exists: false } : f.parentProcessInstanceKey,
    startDate: Object.keys(started).length ? started : undefined,
    processInstanceKey: f.after !== undefined ? { $gt: f.after } : undefined,
  });
  return (await searchService.processInstances(ctx, { filter, page: { limit: f.limit } }, f)).items;
}

export async function searchUserTasks(ctx: EngineContext, f: UserTaskSearch = {}): Promise<UserTaskInfo[]> {
  const filter = withoutUndefined({
    state: f.state ?? 'CREATED',
    assignee: f.assigned !== undefined ? { $exists: f.assigned } : f.assignee,
    candidateGroups: f.candidateGroups?.length ? { $in: f.candidateGroups } : undefined,
    candidateUsers: f.candidateUser,
    processInstanceKey: f.processInstanceKey,
    bpmnProcessId: f.bpmnProcessId,
    elementId: f.elementId,
    userTaskKey: f.after !== undefined ? { $gt: f.after } : undefined,
  });
  return (await searchService.userTasks(ctx, { filter, page: { limit: f.limit } }, f)).items;
}

export async function searchIncidents(ctx: EngineContext, f: IncidentSearch = {}): Promise<IncidentInfo[]> {
  const filter = withoutUndefined({
    state: f.state ?? 'ACTIVE',
    processInstanceKey: f.processInstanceKey,
    bpmnProcessId: f.bpmnProcessId,
    errorType: f.errorType,
    incidentKey: f.after !== undefined ? { $gt: f.after } : undefined,
  });
  return (await searchService.incidents(ctx, { filter, page: { limit: f.limit } }, f)).items;
}

export async function searchProcessDefinitions(
  ctx: EngineContext,
  f: TenantScope & { bpmnProcessId?: string; latestOnly?: boolean; limit?: number } = {},
): Promise<ProcessDefinitionInfo[]> {
  const filter = withoutUndefined({ bpmnProcessId: f.bpmnProcessId, isLatestVersion: f.latestOnly || undefined });
  const query = {
    filter,
    sort: [{ field: 'bpmnProcessId' }, { field: 'version', order: 'DESC' as const }],
    page: { limit: Math.min(f.limit ?? 200, 1000) },
  };
  return (await searchService.processDefinitions(ctx, query, f)).items;
}
