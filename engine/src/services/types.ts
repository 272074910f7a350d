/**
 * The shapes the public engine interface takes and returns. Keys are decimal strings (Camunda 8 style),
 * dates are ISO 8601 strings, so everything serializes to JSON as it is.
 */
import type { Kysely } from 'kysely';
import type { Variables } from '../runtime/types.js';
import type { Database } from '../store/database.js';

/** Restricts a call to some tenants (the API passes the caller's tenants); unset = no restriction. */
export interface TenantScope {
  readonly tenantIds?: readonly string[];
}

export interface DeploymentResource {
  /** file name; `.bpmn` / `.xml` are BPMN, `.form` is a form-js form (JSON with `id`) */
  readonly name: string;
  readonly content: string | Buffer;
}

export interface DeployedProcess {
  readonly processDefinitionKey: string;
  readonly bpmnProcessId: string;
  readonly version: number;
  readonly resourceName: string;
  readonly tenantId: string;
  /** false when an identical resource was deployed before (duplicate: the existing version is returned) */
  readonly isNew: boolean;
}

export interface DeployedForm {
  readonly formKey: string;
  readonly formId: string;
  readonly version: number;
  readonly resourceName: string;
  readonly tenantId: string;
  readonly isNew: boolean;
}

export interface Deployment {
  readonly deploymentKey: string;
  readonly tenantId: string;
  readonly processes: readonly DeployedProcess[];
  readonly forms: readonly DeployedForm[];
}

export interface ProcessDefinitionInfo {
  readonly processDefinitionKey: string;
  readonly bpmnProcessId: string;
  readonly version: number;
  readonly versionTag: string | null;
  readonly name: string | null;
  readonly resourceName: string;
  readonly tenantId: string;
  readonly deploymentKey: string;
}

export interface CreateInstanceRequest extends TenantScope {
  readonly tenantId?: string;
  /** the latest version of this process … */
  readonly bpmnProcessId?: string;
  /** … or exactly this definition */
  readonly processDefinitionKey?: string;
  readonly variables?: Variables;
  /** the case number; generated (`2026-000123`, per tenant and year) when not given */
  readonly businessKey?: string;
  /** start at this (message/timer/signal or none) start event instead of the none start event */
  readonly startElementId?: string;
  /** also set the case number as this process variable (for correlation keys, forms, documents) */
  readonly businessKeyVariable?: string;
  readonly actor?: string;
}

/**
 * Rows the caller writes in the command's own transaction (e.g. the API's application record with the
 * case it starts), so both commit together or not at all. Runs after the command was accepted.
 */
export type WithinTransaction<R> = (db: Kysely<Database>, result: R) => Promise<void>;

export interface CreatedInstance {
  readonly processInstanceKey: string;
  readonly processDefinitionKey: string;
  readonly bpmnProcessId: string;
  readonly version: number;
  readonly tenantId: string;
  readonly businessKey: string | null;
}

export type InstanceLifecycle = 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

export interface ProcessInstanceSummary {
  readonly processInstanceKey: string;
  readonly rootProcessInstanceKey: string;
  readonly parentProcessInstanceKey: string | null;
  readonly parentElementInstanceKey: string | null;
  readonly processDefinitionKey: string;
  readonly bpmnProcessId: string;
  readonly version: number;
  readonly tenantId: string;
  readonly state: InstanceLifecycle;
  readonly businessKey: string | null;
  readonly hasIncident: boolean;
  readonly startDate: string;
  readonly endDate: string | null;
}

export interface ElementInstanceInfo {
  readonly elementInstanceKey: string;
  readonly elementId: string;
  readonly elementType: string;
  readonly state: string;
  readonly flowScopeKey: string | null;
}

export interface ProcessInstanceDetails extends ProcessInstanceSummary {
  /** the instance's own (process-level) variables */
  readonly variables: Variables;
  /** element instances alive right now (empty once the instance ended) */
  readonly elementInstances: readonly ElementInstanceInfo[];
  readonly incidents: readonly IncidentInfo[];
}

export interface InstanceSearch extends TenantScope {
  readonly bpmnProcessId?: string;
  readonly processDefinitionKey?: string;
  readonly state?: InstanceLifecycle;
  readonly businessKey?: string;
  readonly hasIncident?: boolean;
  /** only root instances (not called ones) */
  readonly rootOnly?: boolean;
  readonly parentProcessInstanceKey?: string;
  readonly startedAfter?: Date | string;
  readonly startedBefore?: Date | string;
  /** page size, default 50, at most 1000 */
  readonly limit?: number;
  /** return instances with a key greater than this (keyset pagination) */
  readonly after?: string;
}

export interface JobInfo {
  readonly jobKey: string;
  readonly type: string;
  readonly tenantId: string;
  readonly processInstanceKey: string;
  readonly rootProcessInstanceKey: string;
  readonly elementInstanceKey: string;
  readonly elementId: string;
  readonly bpmnProcessId: string;
  readonly processDefinitionKey: string;
  readonly retries: number;
  readonly customHeaders: Readonly<Record<string, string>>;
  readonly variables: Variables;
  /** lease end (epoch ms) when activated through activateJobs */
  readonly deadline?: number;
  readonly worker?: string;
}

export interface ActivateJobsRequest extends TenantScope {
  readonly type: string;
  readonly worker: string;
  readonly maxJobsToActivate: number;
  /** lease: the job is not handed out again before this many ms passed */
  readonly timeoutMs: number;
  /** only these variables (all visible ones when unset) */
  readonly fetchVariables?: readonly string[];
}

export interface FailJobRequest extends TenantScope {
  readonly jobKey: string;
  readonly retries: number;
  readonly errorMessage?: string;
  readonly retryBackOffMs?: number;
  readonly variables?: Variables;
  readonly actor?: string;
}

export interface UserTaskInfo {
  readonly userTaskKey: string;
  readonly tenantId: string;
  readonly processInstanceKey: string;
  readonly rootProcessInstanceKey: string;
  readonly elementInstanceKey: string;
  readonly elementId: string;
  readonly name: string | null;
  readonly bpmnProcessId: string;
  readonly processDefinitionKey: string;
  readonly assignee: string | null;
  readonly candidateGroups: readonly string[];
  readonly candidateUsers: readonly string[];
  readonly dueDate: string | null;
  readonly followUpDate: string | null;
  readonly priority: number;
  readonly formKey: string | null;
  readonly formId: string | null;
  readonly state: 'CREATED' | 'COMPLETED' | 'CANCELED';
  readonly creationDate: string;
  readonly completionDate: string | null;
}

export interface UserTaskSearch extends TenantScope {
  /** default CREATED (open tasks) */
  readonly state?: UserTaskInfo['state'];
  readonly assignee?: string;
  /** tasks unassigned (true) or assigned (false) */
  readonly assigned?: boolean;
  /** tasks offered to any of these groups */
  readonly candidateGroups?: readonly string[];
  /** tasks offered to this user (as candidate user) */
  readonly candidateUser?: string;
  /** the clerk's view: tasks assigned to the user, or offered to the user or to one of the groups */
  readonly visibleTo?: { readonly userId: string; readonly groups?: readonly string[] };
  readonly processInstanceKey?: string;
  readonly bpmnProcessId?: string;
  readonly elementId?: string;
  readonly limit?: number;
  readonly after?: string;
}

export interface IncidentInfo {
  readonly incidentKey: string;
  readonly tenantId: string;
  readonly processInstanceKey: string;
  readonly rootProcessInstanceKey: string;
  readonly elementInstanceKey: string;
  readonly elementId: string;
  readonly bpmnProcessId: string;
  readonly processDefinitionKey: string;
  readonly errorType: string;
  readonly errorMessage: string;
  readonly jobKey: string | null;
  readonly state: 'ACTIVE' | 'RESOLVED';
  readonly creationDate: string;
  readonly resolvedDate: string | null;
}

export interface IncidentSearch extends TenantScope {
  /** default ACTIVE */
  readonly state?: IncidentInfo['state'];
  readonly processInstanceKey?: string;
  readonly bpmnProcessId?: string;
  readonly errorType?: string;
  readonly limit?: number;
  readonly after?: string;
}

export interface PublishMessageRequest extends TenantScope {
  readonly tenantId?: string;
  readonly name: string;
  readonly correlationKey?: string;
  readonly variables?: Variables;
  /** how long the message stays buffered for subscriptions opened later; 0 = not buffered */
  readonly timeToLiveMs?: number;
  /** a second message with the same id (per tenant and name) is rejected while the first is buffered */
  readonly messageId?: string;
  readonly actor?: string;
}

export interface MessagePublished {
  readonly messageKey: string;
  readonly tenantId: string;
  /** process instances the message was correlated to (existing ones and ones it started) */
  readonly correlatedProcessInstanceKeys: readonly string[];
  readonly buffered: boolean;
}

export interface BroadcastSignalRequest extends TenantScope {
  readonly tenantId?: string;
  readonly signalName: string;
  readonly variables?: Variables;
  readonly actor?: string;
}

export interface SignalBroadcast {
  readonly signalKey: string;
  readonly tenantId: string;
  readonly triggeredProcessInstanceKeys: readonly string[];
}

export interface HistoryEntryInfo {
  readonly seq: number;
  readonly processInstanceKey: string;
  readonly key: string;
  readonly valueType: string;
  readonly intent: string;
  readonly elementId: string | null;
  readonly value: Readonly<Record<string, unknown>>;
  readonly actor: string | null;
  readonly at: string;
  readonly hash: string;
}

export interface HistoryVerification {
  readonly valid: boolean;
  readonly entries: number;
  readonly brokenAt?: number;
  readonly reason?: string;
}

export interface VariableInfo {
  readonly variableKey: string;
  readonly name: string;
  readonly value: unknown;
  readonly processInstanceKey: string;
  readonly rootProcessInstanceKey: string;
  /** the element instance (or the process instance) the variable belongs to */
  readonly scopeKey: string;
  readonly tenantId: string;
}

export interface ElementStates {
  readonly processInstanceKey: string;
  readonly processDefinitionKey: string;
  readonly elements: readonly {
    readonly elementId: string;
    readonly active: number;
    readonly completed: number;
    readonly terminated: number;
    readonly incidents: number;
  }[];
  readonly takenSequenceFlows: readonly string[];
}
