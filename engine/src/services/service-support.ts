/**
 * Small helpers the services share: tenant scoping, rejections, row → public shape mapping.
 */
import { CommandRejectedError, type Rejection } from '../errors.js';
import type { IncidentRow, ProcessInstanceRow, UserTaskRow } from '../store/database.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { IncidentInfo, ProcessInstanceSummary, TenantScope, UserTaskInfo } from './types.js';

export function rejectWith(type: Rejection['type'], reason: string): never {
  throw new CommandRejectedError({ type, reason });
}

export function notFound(what: string, key: string): never {
  return rejectWith('NOT_FOUND', `Expected to find ${what} with key ${key}, but none was found.`);
}

/**
 * Variables must be a JSON object that Postgres' jsonb can store: no NUL characters, no non-finite numbers
 * (JSON.stringify would silently turn them into null), no cycles.
 */
export function checkVariables(variables: unknown, required = false): void {
  if (variables === undefined && !required) return;
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables))
    rejectWith('INVALID_ARGUMENT', 'Expected variables to be a JSON object, but they are not.');
  let text: string;
  try {
    text = JSON.stringify(variables, (_key, value) => {
      if (typeof value === 'number' && !Number.isFinite(value))
        throw new RangeError(`Expected finite numbers, but found ${value}.`);
      if (typeof value === 'bigint') throw new RangeError('Expected JSON numbers, but found a bigint.');
      return value;
    });
  } catch (error) {
    return rejectWith(
      'INVALID_ARGUMENT',
      `Expected variables to be JSON, but ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (text.includes('\\u0000'))
    rejectWith('INVALID_ARGUMENT', 'Expected variables without NUL characters (\\u0000), but found one.');
}

export function tenantAllowed(scope: TenantScope | undefined, tenantId: string | undefined): boolean {
  if (tenantId === undefined) return false;
  return !scope?.tenantIds || scope.tenantIds.includes(tenantId);
}

export function checkTenant(scope: TenantScope | undefined, tenantId: string): void {
  if (!tenantAllowed(scope, tenantId))
    rejectWith('NOT_FOUND', `Expected tenant '${tenantId}' to be one of the caller's tenants, but it is not.`);
}

export function isKey(value: string | undefined): value is string {
  return value !== undefined && /^\d{1,19}$/.test(value);
}

export const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toInstanceSummary(row: ProcessInstanceRow): ProcessInstanceSummary {
  return {
    processInstanceKey: row.key,
    rootProcessInstanceKey: row.root_key,
    parentProcessInstanceKey: row.parent_key,
    parentElementInstanceKey: row.parent_element_instance_key,
    processDefinitionKey: row.process_definition_key,
    bpmnProcessId: row.bpmn_process_id,
    version: row.version,
    tenantId: row.tenant_id,
    state: row.state,
    businessKey: row.business_key,
    hasIncident: row.has_incident,
    startDate: row.start_date.toISOString(),
    endDate: iso(row.end_date),
  };
}

export function toUserTask(row: UserTaskRow): UserTaskInfo {
  return {
    userTaskKey: row.key,
    tenantId: row.tenant_id,
    processInstanceKey: row.process_instance_key,
    rootProcessInstanceKey: row.root_key,
    elementInstanceKey: row.element_instance_key,
    elementId: row.element_id,
    name: row.name,
    bpmnProcessId: row.bpmn_process_id,
    processDefinitionKey: row.process_definition_key,
    assignee: row.assignee,
    candidateGroups: row.candidate_groups,
    candidateUsers: row.candidate_users,
    dueDate: iso(row.due_date),
    followUpDate: iso(row.follow_up_date),
    priority: row.priority,
    formKey: row.form_key,
    formId: row.form_id,
    state: row.state,
    creationDate: row.creation_date.toISOString(),
    completionDate: iso(row.completion_date),
  };
}

export function toIncident(row: IncidentRow): IncidentInfo {
  return {
    incidentKey: row.key,
    tenantId: row.tenant_id,
    processInstanceKey: row.process_instance_key,
    rootProcessInstanceKey: row.root_key,
    elementInstanceKey: row.element_instance_key,
    elementId: row.element_id,
    bpmnProcessId: row.bpmn_process_id,
    processDefinitionKey: row.process_definition_key,
    errorType: row.error_type,
    errorMessage: row.error_message,
    jobKey: row.job_key,
    state: row.state,
    creationDate: row.created_at.toISOString(),
    resolvedDate: iso(row.resolved_at),
  };
}

const OWNER_NAMES = {
  job: 'job',
  user_task: 'user task',
  incident: 'incident',
  process_instance: 'process instance',
} as const;

/** Locks the root instance owning `key` for this unit of work; NOT_FOUND when it is unknown or in another tenant. */
export async function lockOwnedRoot(
  uow: UnitOfWork,
  scope: TenantScope | undefined,
  owner: keyof typeof OWNER_NAMES,
  key: string,
): Promise<string> {
  const root = await uow.lockRootOf(owner, key);
  if (!root || !tenantAllowed(scope, uow.tenantOf(root))) notFound(OWNER_NAMES[owner], key);
  return root;
}
