/**
 * Projection: the one place where runtime records become rows in the query tables (instances, jobs,
 * timers, subscriptions, user tasks, incidents, event outbox). Records of a whole unit of work are first
 * folded into net changes per key (a timer created and cancelled in the same command never touches the
 * database), then written with multi-row inserts and `key IN (…)` deletes — this is the hot path.
 */
import { CompiledQuery, type Transaction, type Updateable } from 'kysely';
import type { InstanceState, RuntimeRecord } from '../runtime/types.js';
import {
  json,
  WITH_COMMIT,
  type Database,
  type EventOutboxTable,
  type JobTable,
  type NewIncident,
  type NewJob,
  type NewMessageSubscription,
  type NewProcessInstance,
  type NewSignalSubscription,
  type NewTimer,
  type NewUserTask,
  type NewVariable,
  type IncidentTable,
  type ProcessInstanceTable,
  type UserTaskTable,
} from './database.js';
import type { Insertable } from 'kysely';

/** The records of one root instance produced in one unit of work, with the root's final state. */
export interface ProjectionInput {
  readonly rootKey: string;
  readonly tenantId: string;
  readonly records: readonly RuntimeRecord[];
  readonly state: InstanceState;
  /** business key of the root (child instances inherit it) */
  readonly businessKey: string | null;
  /** epoch ms of the command */
  readonly at: number;
}

type Value = Record<string, unknown>;
const str = (value: unknown): string => String(value);
const optStr = (value: unknown): string | null => (value === undefined || value === null ? null : String(value));

/** A date given by a FEEL expression (ISO string) or epoch ms; null when absent or unparsable. */
function toDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = typeof value === 'number' ? new Date(value) : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Net row changes of one table: rows to insert, keys to delete, patches for existing rows. */
class TableChanges<Row extends { key: string }, Patch> {
  readonly inserts = new Map<string, Row>();
  readonly deletes = new Set<string>();
  readonly updates = new Map<string, Patch>();

  insert(row: Row): void {
    this.deletes.delete(row.key);
    this.inserts.set(row.key, row);
  }

  delete(key: string): void {
    if (this.inserts.delete(key)) return;
    this.updates.delete(key);
    this.deletes.add(key);
  }

  update(key: string, patch: Patch): void {
    const inserted = this.inserts.get(key);
    if (inserted) {
      Object.assign(inserted, patch);
      return;
    }
    if (this.deletes.has(key)) return;
    this.updates.set(key, { ...(this.updates.get(key) ?? ({} as Patch)), ...patch });
  }

  get isEmpty(): boolean {
    return this.inserts.size === 0 && this.deletes.size === 0 && this.updates.size === 0;
  }
}

export interface CreatedJob {
  readonly key: string;
  readonly type: string;
  readonly rootKey: string;
  readonly tenantId: string;
}

export class Projection {
  readonly instances = new TableChanges<NewProcessInstance & { key: string }, Updateable<ProcessInstanceTable>>();
  readonly jobs = new TableChanges<NewJob & { key: string }, Updateable<JobTable>>();
  readonly timers = new TableChanges<NewTimer & { key: string }, never>();
  readonly messageSubscriptions = new TableChanges<NewMessageSubscription & { key: string }, never>();
  readonly signalSubscriptions = new TableChanges<NewSignalSubscription & { key: string }, never>();
  readonly userTasks = new TableChanges<NewUserTask & { key: string }, Updateable<UserTaskTable>>();
  readonly incidents = new TableChanges<NewIncident & { key: string }, Updateable<IncidentTable>>();
  readonly outbox: (Insertable<EventOutboxTable> & { key: string })[] = [];
  /** the last value per scope and name (`scopeKey\0name`); written as upserts */
  readonly variables = new Map<string, NewVariable>();
  /** epoch ms of the earliest timer created (for the scheduler's wake-up) */
  earliestTimer: number | undefined;

  constructor(private readonly nextKey: () => string) {}

  add(input: ProjectionInput): void {
    const at = new Date(input.at);
    const incidentInstances = new Set<string>();
    const correlated = new Set<string>();
    for (const record of input.records) {
      const value = record.value as Value;
      switch (`${record.valueType}:${record.intent}`) {
        case 'PROCESS_INSTANCE:ELEMENT_ACTIVATING':
          if (value.elementType === 'PROCESS') {
            this.instances.insert({
              key: record.key,
              tenant_id: optStr(value.tenantId) ?? input.tenantId,
              root_key: input.rootKey,
              parent_key: optStr(value.parentProcessInstanceKey),
              parent_element_instance_key: optStr(value.parentElementInstanceKey),
              process_definition_key: str(value.processDefinitionKey),
              bpmn_process_id: str(value.bpmnProcessId),
              version: Number(value.version ?? 0),
              state: 'ACTIVE',
              business_key: input.businessKey,
              has_incident: false,
              start_date: at,
              end_date: null,
            });
          }
          break;
        case 'PROCESS_INSTANCE:ELEMENT_COMPLETED':
        case 'PROCESS_INSTANCE:ELEMENT_TERMINATED':
          if (value.elementType === 'PROCESS') {
            this.instances.update(record.key, {
              state: record.intent === 'ELEMENT_COMPLETED' ? 'COMPLETED' : 'TERMINATED',
              end_date: at,
            });
          }
          break;
        case 'JOB:CREATED':
          this.jobs.insert({
            key: record.key,
            tenant_id: optStr(value.tenantId) ?? input.tenantId,
            type: str(value.type),
            root_key: input.rootKey,
            process_instance_key: str(value.processInstanceKey),
            element_instance_key: str(value.elementInstanceKey),
            element_id: str(value.elementId),
            bpmn_process_id: str(value.bpmnProcessId),
            process_definition_key: str(value.processDefinitionKey),
            retries: Number(value.retries),
            custom_headers: json(value.customHeaders ?? {}),
            retry_at: null,
            deadline: null,
            worker: null,
            error_message: null,
            created_at: at,
          });
          break;
        case 'JOB:FAILED':
          this.jobs.update(record.key, {
            retries: Number(value.retries),
            retry_at: value.retryAt !== undefined ? new Date(Number(value.retryAt)) : null,
            error_message: optStr(value.errorMessage),
            deadline: null,
            worker: null,
          });
          break;
        case 'JOB:RETRIES_UPDATED':
          this.jobs.update(record.key, { retries: Number(value.retries) });
          break;
        case 'JOB:COMPLETED':
        case 'JOB:ERROR_THROWN':
        case 'JOB:CANCELED':
          this.jobs.delete(record.key);
          break;
        case 'TIMER:CREATED': {
          const dueDate = Number(value.dueDate);
          this.timers.insert({
            key: record.key,
            tenant_id: optStr(value.tenantId) ?? input.tenantId,
            root_key: input.rootKey,
            process_instance_key: str(value.processInstanceKey),
            element_instance_key: str(value.elementInstanceKey),
            process_definition_key: null,
            element_id: str(value.targetElementId),
            due_at: new Date(dueDate),
            repetitions: Number(value.repetitions ?? 0),
            interval: optStr(value.interval),
          });
          if (this.earliestTimer === undefined || dueDate < this.earliestTimer) this.earliestTimer = dueDate;
          break;
        }
        case 'TIMER:TRIGGERED':
        case 'TIMER:CANCELED':
          this.timers.delete(record.key);
          break;
        case 'MESSAGE_SUBSCRIPTION:CREATED':
          this.messageSubscriptions.insert({
            key: record.key,
            tenant_id: optStr(value.tenantId) ?? input.tenantId,
            root_key: input.rootKey,
            process_instance_key: str(value.processInstanceKey),
            element_instance_key: str(value.elementInstanceKey),
            element_id: str(value.targetElementId),
            bpmn_process_id: str(value.bpmnProcessId),
            message_name: str(value.messageName),
            correlation_key: str(value.correlationKey ?? ''),
            interrupting: value.interrupting !== false,
          });
          break;
        case 'MESSAGE_SUBSCRIPTION:CORRELATED':
          correlated.add(record.key);
          break;
        case 'MESSAGE_SUBSCRIPTION:DELETED':
          this.messageSubscriptions.delete(record.key);
          break;
        case 'SIGNAL_SUBSCRIPTION:CREATED':
          this.signalSubscriptions.insert({
            key: record.key,
            tenant_id: optStr(value.tenantId) ?? input.tenantId,
            root_key: input.rootKey,
            process_instance_key: str(value.processInstanceKey),
            element_instance_key: str(value.elementInstanceKey),
            element_id: str(value.targetElementId),
            signal_name: str(value.signalName),
          });
          break;
        case 'SIGNAL_SUBSCRIPTION:DELETED':
          this.signalSubscriptions.delete(record.key);
          break;
        case 'USER_TASK:CREATED':
          this.userTasks.insert({
            key: record.key,
            tenant_id: optStr(value.tenantId) ?? input.tenantId,
            root_key: input.rootKey,
            process_instance_key: str(value.processInstanceKey),
            element_instance_key: str(value.elementInstanceKey),
            element_id: str(value.elementId),
            name: optStr(value.name),
            bpmn_process_id: str(value.bpmnProcessId),
            process_definition_key: str(value.processDefinitionKey),
            assignee: optStr(value.assignee),
            candidate_groups: (value.candidateGroups as string[] | undefined) ?? [],
            candidate_users: (value.candidateUsers as string[] | undefined) ?? [],
            due_date: toDate(value.dueDate),
            follow_up_date: toDate(value.followUpDate),
            priority: Number(value.priority ?? 50),
            form_key: optStr(value.formKey),
            form_id: optStr(value.formId),
            state: 'CREATED',
            creation_date: value.creationDate !== undefined ? new Date(Number(value.creationDate)) : at,
            completion_date: null,
          });
          break;
        case 'USER_TASK:ASSIGNED':
          this.userTasks.update(record.key, { assignee: optStr(value.assignee) });
          break;
        case 'USER_TASK:COMPLETED':
          this.userTasks.update(record.key, { state: 'COMPLETED', completion_date: at });
          break;
        case 'USER_TASK:CANCELED':
          this.userTasks.update(record.key, { state: 'CANCELED', completion_date: at });
          break;
        case 'INCIDENT:CREATED':
          this.incidents.insert({
            key: record.key,
            tenant_id: optStr(value.tenantId) ?? input.tenantId,
            root_key: input.rootKey,
            process_instance_key: str(value.processInstanceKey),
            element_instance_key: str(value.elementInstanceKey),
            element_id: str(value.elementId),
            bpmn_process_id: str(value.bpmnProcessId),
            process_definition_key: str(value.processDefinitionKey),
            error_type: str(value.errorType),
            error_message: str(value.errorMessage ?? ''),
            job_key: optStr(value.jobKey),
            state: 'ACTIVE',
            created_at: value.creationDate !== undefined ? new Date(Number(value.creationDate)) : at,
            resolved_at: null,
          });
          incidentInstances.add(str(value.processInstanceKey));
          break;
        case 'INCIDENT:RESOLVED':
          this.incidents.update(record.key, { state: 'RESOLVED', resolved_at: at });
          incidentInstances.add(record.processInstanceKey);
          break;
        case 'SIGNAL:BROADCAST':
          this.outbox.push({
            key: this.nextKey(),
            tenant_id: optStr(value.tenantId) ?? input.tenantId,
            event_kind: 'SIGNAL',
            name: str(value.signalName),
            correlation_key: null,
            variables: json(value.variables ?? {}),
            created_at: at,
            origin_root_key: optStr(value.originRootKey) ?? null,
          });
          break;
        case 'MESSAGE:PUBLISHED':
          this.outbox.push({
            key: this.nextKey(),
            tenant_id: optStr(value.tenantId) ?? input.tenantId,
            event_kind: 'MESSAGE',
            name: str(value.name),
            correlation_key: str(value.correlationKey ?? ''),
            variables: json(value.variables ?? {}),
            created_at: at,
            origin_root_key: null,
          });
          break;
        case 'VARIABLE:CREATED':
        case 'VARIABLE:UPDATED': {
          const scopeKey = str(value.scopeKey);
          const name = str(value.name);
          const id = `${scopeKey}\0${name}`;
          const row = this.variables.get(id);
          if (row) {
            row.value = JSON.stringify(value.value ?? null);
            row.updated_at = at;
          } else {
            this.variables.set(id, {
              key: this.nextKey(),
              tenant_id: input.tenantId,
              root_key: input.rootKey,
              process_instance_key: str(value.processInstanceKey ?? scopeKey),
              scope_key: scopeKey,
              name,
              value: JSON.stringify(value.value ?? null),
              updated_at: at,
            });
          }
          break;
        }
        default:
          // element lifecycle, errors, escalations, script effects: history only
          break;
      }
    }
    // a correlated subscription stays open when it is non-interrupting; the final state says which
    for (const key of correlated) if (!input.state.messageSubscriptions[key]) this.messageSubscriptions.delete(key);
    if (incidentInstances.size > 0) {
      const open = new Set(Object.values(input.state.incidents).map((incident) => incident.processInstanceKey));
      for (const key of incidentInstances) this.instances.update(key, { has_incident: open.has(key) });
    }
  }

  /**
   * Writes all net changes, plus `extra` rows (history) and `documents` (root state updates), as ONE
   * statement of data-modifying CTEs when it fits, so a command costs one round trip to write.
   */
  async write(
    trx: Transaction<Database>,
    extra: { history?: readonly Insertable<Database['history']>[] } = {},
  ): Promise<void> {
    const operations: Operation[] = [];
    const deleteKeys = (table: 'job' | 'timer' | 'message_subscription' | 'signal_subscription', keys: Set<string>) => {
      if (keys.size > 0)
        operations.push({
          params: keys.size,
          build: (p) => `DELETE FROM ${ident(table)} WHERE "key" IN (${[...keys].map(p).join(', ')})`,
        });
    };
    deleteKeys('job', this.jobs.deletes);
    deleteKeys('timer', this.timers.deletes);
    deleteKeys('message_subscription', this.messageSubscriptions.deletes);
    deleteKeys('signal_subscription', this.signalSubscriptions.deletes);

    const insert = (table: keyof Database, rows: readonly object[], suffix = '') => {
      if (rows.length === 0) return;
      const columns = Object.keys(rows[0]).length || 1;
      const size = Math.max(1, Math.floor(MAX_PARAMETERS / columns));
      for (let i = 0; i < rows.length; i += size) {
        const chunk = rows.slice(i, i + size) as readonly Record<string, unknown>[];
        operations.push({ params: chunk.length * columns, build: (p) => insertSql(table, chunk, p) + suffix });
      }
    };
    insert('process_instance', [...this.instances.inserts.values()]);
    insert('job', [...this.jobs.inserts.values()]);
    insert('timer', [...this.timers.inserts.values()]);
    insert('message_subscription', [...this.messageSubscriptions.inserts.values()]);
    insert('signal_subscription', [...this.signalSubscriptions.inserts.values()]);
    insert('user_task', [...this.userTasks.inserts.values()]);
    insert('incident', [...this.incidents.inserts.values()]);
    insert('event_outbox', this.outbox);
    insert('history', extra.history ?? []);
    insert(
      'variable',
      [...this.variables.values()],
      ' ON CONFLICT ("scope_key", "name") DO UPDATE SET "value" = excluded."value", "updated_at" = excluded."updated_at"',
    );

    const update = (table: UpdatedTable, updates: Map<string, object>) => {
      // rows patched in the same columns (the roots of a group-commit batch) share one UPDATE … FROM (VALUES …)
      const byColumns = new Map<string, { columns: string[]; rows: [string, Record<string, unknown>][] }>();
      for (const [key, patch] of updates) {
        const columns = Object.keys(patch)
          .filter((column) => (patch as Record<string, unknown>)[column] !== undefined)
          .sort();
        if (columns.length === 0) continue;
        const shape = columns.join(',');
        const group = byColumns.get(shape);
        if (group) group.rows.push([key, patch as Record<string, unknown>]);
        else byColumns.set(shape, { columns, rows: [[key, patch as Record<string, unknown>]] });
      }
      for (const { columns, rows } of byColumns.values()) {
        const types = UPDATE_COLUMN_TYPES[table];
        if (rows.length === 1 || !columns.every((column) => column in types)) {
          for (const [key, patch] of rows)
            operations.push({
              params: columns.length + 1,
              build: (p) =>
                `UPDATE ${ident(table)} SET ${columns.map((column) => `${ident(column)} = ${p(patch[column])}`).join(', ')} WHERE "key" = ${p(key)}`,
            });
          continue;
        }
        const size = Math.max(1, Math.floor(MAX_PARAMETERS / (columns.length + 1)));
        for (let i = 0; i < rows.length; i += size) {
          const chunk = rows.slice(i, i + size);
          operations.push({
            params: chunk.length * (columns.length + 1),
            build: (p) => updateSql(table, columns, chunk, p),
          });
        }
      }
    };
    update('process_instance', this.instances.updates);
    update('job', this.jobs.updates);
    update('user_task', this.userTasks.updates);
    update('incident', this.incidents.updates);

    await runCombined(trx, operations);
  }
}

const MAX_PARAMETERS = 30_000;

/**
 * One data-modifying statement, written as SQL text directly: this runs for every flush with dozens of
 * statements per batch under group commit, and building them with kysely's immutable query trees cost more
 * CPU than the runtime itself. Only column names of our own rows and `$n` placeholders go into the text;
 * every value is a parameter (PostgreSQL infers its type from the target column, as with kysely).
 */
interface Operation {
  readonly params: number;
  /** the statement, with `param(value)` giving the placeholder of each value */
  readonly build: (param: (value: unknown) => string) => string;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

type UpdatedTable = 'process_instance' | 'job' | 'user_task' | 'incident';

/**
 * The SQL types of the columns the projection patches (see the migrations), for the casts of a multi-row
 * UPDATE: values in a VALUES list get no type from a target column. A column missing here is updated row
 * by row, as before.
 */
const UPDATE_COLUMN_TYPES: Readonly<Record<UpdatedTable, Readonly<Record<string, string>>>> = {
  process_instance: {
    state: 'text',
    end_date: 'timestamptz',
    has_incident: 'boolean',
    state_doc: 'jsonb',
    doc_version: 'integer',
    history_seq: 'integer',
    last_hash: 'text',
  },
  job: {
    retries: 'integer',
    retry_at: 'timestamptz',
    error_message: 'text',
    deadline: 'timestamptz',
    worker: 'text',
  },
  user_task: { assignee: 'text', state: 'text', completion_date: 'timestamptz' },
  incident: { state: 'text', resolved_at: 'timestamptz' },
};

/**
 * `UPDATE t SET c = v.c, … FROM (VALUES (key, c, …), …) v WHERE t.key = v.key`: one statement for rows
 * patched in the same columns. PostgreSQL parses and plans it once instead of once per row.
 */
function updateSql(
  table: UpdatedTable,
  columns: readonly string[],
  rows: readonly (readonly [string, Record<string, unknown>])[],
  param: (value: unknown) => string,
): string {
  const types = UPDATE_COLUMN_TYPES[table];
  const tuples = rows.map(
    ([key, patch]) =>
      `(${param(key)}::bigint, ${columns.map((column) => `${param(patch[column])}::${types[column]}`).join(', ')})`,
  );
  const names = ['key', ...columns].map(ident).join(', ');
  return `UPDATE ${ident(table)} AS t SET ${columns.map((column) => `${ident(column)} = v.${ident(column)}`).join(', ')} FROM (VALUES ${tuples.join(', ')}) AS v (${names}) WHERE t."key" = v."key"`;
}

/** A multi-row INSERT; a column missing (or undefined) in some rows is DEFAULT there, as kysely does it. */
function insertSql(table: string, rows: readonly Record<string, unknown>[], param: (value: unknown) => string): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows)
    for (const column in row)
      if (row[column] !== undefined && !seen.has(column)) {
        seen.add(column);
        columns.push(column);
      }
  const tuples = rows.map(
    (row) => `(${columns.map((column) => (row[column] === undefined ? 'DEFAULT' : param(row[column]))).join(', ')})`,
  );
  return `INSERT INTO ${ident(table)} (${columns.map(ident).join(', ')}) VALUES ${tuples.join(', ')}`;
}

/**
 * Runs the operations as few statements as possible: `WITH w0 AS (…), w1 AS (…) SELECT 1`. The last one
 * may travel with the transaction's COMMIT (`WITH_COMMIT`: its text holds identifiers and placeholders only).
 */
async function runCombined(trx: Transaction<Database>, operations: readonly Operation[]): Promise<void> {
  let batch: Operation[] = [];
  let params = 0;
  const flush = async (last: boolean) => {
    if (batch.length === 0) return;
    const values: unknown[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    const text =
      batch.length === 1
        ? batch[0].build(param)
        : `WITH ${batch.map((operation, index) => `w${index} AS (${operation.build(param)})`).join(', ')} SELECT 1 AS one`;
    await trx.executeQuery(CompiledQuery.raw(last ? WITH_COMMIT + text : text, values));
    batch = [];
    params = 0;
  };
  for (const operation of operations) {
    if (params + operation.params > MAX_PARAMETERS) await flush(false);
    batch.push(operation);
    params += operation.params;
  }
  await flush(true);
}

/** Multi-row insert, split so that no statement exceeds Postgres' parameter limit. */
export async function insertChunked<T extends keyof Database>(
  trx: Transaction<Database>,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as object).length || 1;
  const size = Math.max(1, Math.floor(30_000 / columns));
  for (let i = 0; i < rows.length; i += size) {
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + size) as any)
      .execute();
  }
}
