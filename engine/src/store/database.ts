/**
 * Database access: the typed schema, and `createDatabase` which gives a kysely instance over node-postgres
 * (when a URL is given) or over embedded PGlite (data under `dataDir`). Both run the same migrations.
 *
 * Keys are `bigint` in Postgres and decimal strings in TypeScript (like Camunda 8 keys): node-postgres
 * returns int8 as a string already, the PGlite dialect is told to do the same. Times are `timestamptz`
 * (Date in TypeScript). jsonb values are written as JSON text (node-postgres would turn a JS array into
 * a Postgres array literal otherwise).
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  Kysely,
  PostgresDialect,
  type ColumnType,
  type Generated,
  type Insertable,
  type PostgresPool,
  type PostgresPoolClient,
  type Selectable,
} from 'kysely';
import pg from 'pg';
import { PGLITE_PARSERS, PGliteDialect } from './pglite-dialect.js';

/** bigint column: a decimal string both ways */
type Key = string;
/** jsonb column: parsed when read, JSON text when written */
type Json<T> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, Date, Date>;

export interface DeploymentTable {
  key: Key;
  tenant_id: string;
  resources: Json<{ name: string; kind: 'bpmn' | 'form' }[]>;
  created_at: Timestamp;
}

export interface ProcessDefinitionTable {
  key: Key;
  tenant_id: string;
  bpmn_process_id: string;
  version: number;
  version_tag: string | null;
  name: string | null;
  resource_name: string;
  bpmn_xml: string;
  checksum: string;
  deployment_key: Key;
  created_at: Timestamp;
}

export interface FormTable {
  key: Key;
  tenant_id: string;
  form_id: string;
  version: number;
  resource_name: string;
  schema: Json<Record<string, unknown>>;
  checksum: string;
  deployment_key: Key;
  created_at: Timestamp;
}

export interface StartEventSubscriptionTable {
  tenant_id: string;
  event_kind: 'MESSAGE' | 'SIGNAL';
  event_name: string;
  process_definition_key: Key;
  bpmn_process_id: string;
  element_id: string;
}

export type InstanceLifecycle = 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

export interface ProcessInstanceTable {
  key: Key;
  tenant_id: string;
  root_key: Key;
  parent_key: Key | null;
  parent_element_instance_key: Key | null;
  process_definition_key: Key;
  bpmn_process_id: string;
  version: number;
  state: InstanceLifecycle;
  business_key: string | null;
  has_incident: ColumnType<boolean, boolean | undefined, boolean>;
  start_date: Timestamp;
  end_date: Timestamp | null;
  state_doc: Json<unknown> | null;
  doc_version: number | null;
  history_seq: number | null;
  last_hash: string | null;
}

export interface JobTable {
  key: Key;
  tenant_id: string;
  type: string;
  root_key: Key;
  process_instance_key: Key;
  element_instance_key: Key;
  element_id: string;
  bpmn_process_id: string;
  process_definition_key: Key;
  retries: number;
  custom_headers: Json<Record<string, string>>;
  retry_at: Timestamp | null;
  deadline: Timestamp | null;
  worker: string | null;
  error_message: string | null;
  created_at: Timestamp;
}

export interface TimerTable {
  key: Key;
  tenant_id: string;
  root_key: Key | null;
  process_instance_key: Key | null;
  element_instance_key: Key | null;
  process_definition_key: Key | null;
  element_id: string;
  due_at: Timestamp;
  repetitions: number;
  interval: string | null;
}

export interface MessageSubscriptionTable {
  key: Key;
  tenant_id: string;
  root_key: Key;
  process_instance_key: Key;
  element_instance_key: Key;
  element_id: string;
  bpmn_process_id: string;
  message_name: string;
  correlation_key: string;
  interrupting: boolean;
}

export interface MessageTable {
  key: Key;
  tenant_id: string;
  name: string;
  correlation_key: string;
  message_id: string | null;
  variables: Json<Record<string, unknown>>;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface MessageCorrelationTable {
  message_key: Key;
  tenant_id: string;
  target: string;
}

export interface SignalSubscriptionTable {
  key: Key;
  tenant_id: string;
  root_key: Key;
  process_instance_key: Key;
  element_instance_key: Key;
  element_id: string;
  signal_name: string;
}

export type UserTaskLifecycle = 'CREATED' | 'COMPLETED' | 'CANCELED';

export interface UserTaskTable {
  key: Key;
  tenant_id: string;
  root_key: Key;
  process_instance_key: Key;
  element_instance_key: Key;
  element_id: string;
  name: string | null;
  bpmn_process_id: string;
  process_definition_key: Key;
  assignee: string | null;
  candidate_groups: string[];
  candidate_users: string[];
  due_date: Timestamp | null;
  follow_up_date: Timestamp | null;
  priority: number;
  form_key: string | null;
  form_id: string | null;
  state: UserTaskLifecycle;
  creation_date: Timestamp;
  completion_date: Timestamp | null;
}

export interface IncidentTable {
  key: Key;
  tenant_id: string;
  root_key: Key;
  process_instance_key: Key;
  element_instance_key: Key;
  element_id: string;
  bpmn_process_id: string;
  process_definition_key: Key;
  error_type: string;
  error_message: string;
  job_key: Key | null;
  state: 'ACTIVE' | 'RESOLVED';
  created_at: Timestamp;
  resolved_at: Timestamp | null;
}

/** One record as kept in a history entry. */
export interface HistoryRecord {
  processInstanceKey: string;
  recordKey: string;
  valueType: string;
  intent: string;
  elementId: string | null;
  value: Record<string, unknown>;
}

/** One entry per command: the records it appended, chained by hash to the previous entry of the root. */
export interface HistoryTable {
  root_key: Key;
  seq: number;
  tenant_id: string;
  records: Json<HistoryRecord[]>;
  actor: string | null;
  at: Timestamp;
  hash: string;
}

export interface EventOutboxTable {
  key: Key;
  tenant_id: string;
  event_kind: 'SIGNAL' | 'MESSAGE';
  name: string;
  correlation_key: string | null;
  variables: Json<Record<string, unknown>>;
  created_at: Timestamp;
  /** a signal's own root instance, which got it inside the throwing command already */
  origin_root_key: Key | null;
}

export interface CaseNumberSequenceTable {
  tenant_id: string;
  year: number;
  sequence_name: string;
}

export interface VariableTable {
  key: Key;
  tenant_id: string;
  root_key: Key;
  process_instance_key: Key;
  scope_key: Key;
  name: string;
  /** the value as JSON text */
  value: string;
  updated_at: Timestamp;
}

/** A service (Leistung) a tenant offers citizens: a process with its start form. */
export interface ServiceTable {
  tenant_id: string;
  service_id: string;
  leika_key: string;
  title: string;
  description: string;
  bpmn_process_id: string;
  form_id: string;
  form_key: Key;
  data_schema: Json<Record<string, unknown>>;
  trust_level: 'niedrig' | 'substanziell' | 'hoch';
  fee_hint: string | null;
  published: boolean;
  updated_at: Timestamp;
}

export interface ApplicationTable {
  process_instance_key: Key;
  tenant_id: string;
  service_id: string;
  business_key: string;
  applicant_id: string;
  trust_level: string;
  submitted_at: Timestamp;
}

export interface DocumentTable {
  key: Generated<Key>;
  tenant_id: string;
  process_instance_key: Key | null;
  owner_id: string;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  content: Buffer;
  created_at: Timestamp;
}

export interface MailboxMessageTable {
  key: Generated<Key>;
  tenant_id: string;
  process_instance_key: Key;
  applicant_id: string;
  direction: 'TO_APPLICANT' | 'FROM_APPLICANT';
  subject: string;
  body: string;
  document_keys: string[];
  in_reply_to: Key | null;
  reply_message_name: string | null;
  replied_at: Timestamp | null;
  author_id: string;
  created_at: Timestamp;
}

/** the tenant's directory of authorities (forwarding, workers issue #3) */
export interface AuthorityTable {
  key: Generated<Key>;
  tenant_id: string;
  name: string;
  leika_key: string | null;
  region_key: string;
  channel: 'fit-connect' | 'webhook' | 'internal';
  endpoint: string | null;
  destination_id: string | null;
  target_tenant_id: string | null;
  secret: string | null;
  updated_at: Timestamp;
}

/** what a forwarding job delivered, keyed by the job */
export interface DeliveryTable {
  job_key: Key;
  tenant_id: string;
  process_instance_key: Key;
  authority_name: string;
  channel: string;
  state: 'SUBMITTED' | 'DELIVERED' | 'ACCEPTED' | 'REJECTED';
  destination: string;
  submission_id: string | null;
  case_id: string | null;
  receipt: Json<Record<string, unknown>> | null;
  submitted_at: Timestamp;
  decided_at: Timestamp | null;
}

/** an e-mail a notification job sent, keyed by the job */
export interface NotificationTable {
  job_key: Key;
  tenant_id: string;
  process_instance_key: Key;
  recipients: string[];
  subject: string;
  message_id: string;
  sent_at: Timestamp;
}

/** a payment request of a payment job, keyed by the job */
export interface PaymentTable {
  job_key: Key;
  tenant_id: string;
  process_instance_key: Key;
  reference: string;
  provider: string;
  transaction_id: string;
  amount_cents: number;
  purpose: string;
  items: Json<PaymentItem[]>;
  payment_url: string;
  state: 'OPEN' | 'PAID' | 'FAILED' | 'CANCELED';
  payment_method: string | null;
  created_at: Timestamp;
  paid_at: Timestamp | null;
}

/** a booking line of a payment: what the municipal accounting books where */
export interface PaymentItem {
  readonly amountCents: number;
  /** Haushaltsstelle */
  readonly budgetLine: string;
  /** Objektnummer (Kostenträger / Auftrag) */
  readonly objectNumber: string;
  readonly description?: string;
}

/** the embedded default seal key of a tenant */
export interface SealKeyTable {
  tenant_id: string;
  certificate: Buffer;
  private_key: Buffer;
  created_at: Timestamp;
}

export interface Database {
  deployment: DeploymentTable;
  process_definition: ProcessDefinitionTable;
  form: FormTable;
  start_event_subscription: StartEventSubscriptionTable;
  process_instance: ProcessInstanceTable;
  job: JobTable;
  timer: TimerTable;
  message_subscription: MessageSubscriptionTable;
  message: MessageTable;
  message_correlation: MessageCorrelationTable;
  signal_subscription: SignalSubscriptionTable;
  user_task: UserTaskTable;
  incident: IncidentTable;
  history: HistoryTable;
  event_outbox: EventOutboxTable;
  case_number_sequence: CaseNumberSequenceTable;
  variable: VariableTable;
  service: ServiceTable;
  application: ApplicationTable;
  document: DocumentTable;
  mailbox_message: MailboxMessageTable;
  authority: AuthorityTable;
  delivery: DeliveryTable;
  notification: NotificationTable;
  payment: PaymentTable;
  seal_key: SealKeyTable;
}

export type VariableRow = Selectable<VariableTable>;
export type NewVariable = Insertable<VariableTable>;
export type ProcessDefinitionRow = Selectable<ProcessDefinitionTable>;
export type ProcessInstanceRow = Selectable<ProcessInstanceTable>;
export type NewProcessInstance = Insertable<ProcessInstanceTable>;
export type JobRow = Selectable<JobTable>;
export type NewJob = Insertable<JobTable>;
export type TimerRow = Selectable<TimerTable>;
export type NewTimer = Insertable<TimerTable>;
export type NewMessageSubscription = Insertable<MessageSubscriptionTable>;
export type MessageRow = Selectable<MessageTable>;
export type NewSignalSubscription = Insertable<SignalSubscriptionTable>;
export type UserTaskRow = Selectable<UserTaskTable>;
export type NewUserTask = Insertable<UserTaskTable>;
export type IncidentRow = Selectable<IncidentTable>;
export type NewIncident = Insertable<IncidentTable>;
export type HistoryRow = Selectable<HistoryTable>;
export type NewHistory = Insertable<HistoryTable>;
export type FormRow = Selectable<FormTable>;

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  /** postgres://… — when unset, an embedded PGlite database under `dataDir` is used */
  readonly databaseUrl?: string;
  /** PGlite data directory; `memory://` keeps it in memory */
  readonly dataDir: string;
  /** node-postgres pool size */
  readonly poolSize?: number;
}

export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
}

export async function createDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // a broken idle connection must not crash the process; the next query gets a fresh one
    pool.on('error', () => {});
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: lazyBeginPool(pool) }) }),
      kind: 'postgres',
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  if (!options.dataDir.startsWith('memory://')) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create({ dataDir: options.dataDir, parsers: PGLITE_PARSERS });
  return { db: new Kysely<Database>({ dialect: new PGliteDialect(client) }), kind: 'pglite' };
}

type QueryResultLike = { command: string; rowCount: number | null; rows: unknown[] };

/**
 * Marks a statement that may travel with the COMMIT that follows it ("lazy COMMIT", see lazyBeginClient):
 * the unit of work's flush, the last write of a transaction. Only for statements whose text holds nothing
 * but identifiers, keywords and `$n` placeholders (no string literals): their parameters are inlined as
 * literals when the statement is sent together with the COMMIT.
 */
export const WITH_COMMIT = '/* with commit */ ';

const notCommitted = new WeakSet<object>();

/**
 * True when `error` came from a statement sent together with its COMMIT and PostgreSQL reported the
 * transaction aborted before the COMMIT ran: nothing was committed (unlike an error of the COMMIT itself,
 * whose outcome may be unknown). Group commit then runs the batch's commands again one by one.
 */
export const failedBeforeCommit = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && notCommitted.has(error);

const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue(value: unknown): unknown;
};

/**
 * A string literal, as node-postgres' `escapeLiteral` writes it (quotes doubled; with a backslash, an
 * E'' literal with backslashes doubled) — with whole-string replaces instead of its character-by-character
 * concatenation, which cost more CPU than anything else on this path: the literals are the state documents
 * and history entries of a whole group-commit batch.
 */
export function escapeLiteral(text: string): string {
  const quoted = text.includes("'") ? text.replaceAll("'", "''") : text;
  if (!quoted.includes('\\')) return `'${quoted}'`;
  return ` E'${quoted.replaceAll('\\', '\\\\')}'`;
}

/**
 * The statement with its parameters as literals (the text node-postgres would send for them), or undefined.
 * A scan for `$n` rather than a regular expression with a callback per placeholder (a batch's write has
 * hundreds); the times of a batch are mostly one and the same, so the last one's text is kept.
 */
export function inlineParameters(text: string, values: readonly unknown[]): string | undefined {
  const literals: string[] = new Array<string>(values.length);
  let lastTime: number | undefined;
  let lastLiteral = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'string') {
      literals[i] = escapeLiteral(value);
      continue;
    }
    if (value instanceof Date && value.getTime() === lastTime) {
      literals[i] = lastLiteral;
      continue;
    }
    const prepared = pgUtils.prepareValue(value);
    if (prepared === null || prepared === undefined) literals[i] = 'NULL';
    else if (typeof prepared === 'string') literals[i] = escapeLiteral(prepared);
    else return undefined; // binary (Buffer): leave it to the extended protocol
    if (value instanceof Date) {
      lastTime = value.getTime();
      lastLiteral = literals[i];
    }
  }
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('$'); at !== -1; at = text.indexOf('$', at + 1)) {
    let end = at + 1;
    let n = 0;
    for (let code = text.charCodeAt(end); code >= 48 && code <= 57; code = text.charCodeAt(++end))
      n = n * 10 + code - 48;
    const literal = end > at + 1 ? literals[n - 1] : undefined;
    if (literal === undefined) continue; // not a placeholder of a value: left as it is
    out += text.slice(copied, at) + literal;
    copied = end;
    at = end - 1;
  }
  return out + text.slice(copied);
}

/**
 * "Lazy BEGIN" (what the PostgreSQL JDBC driver does): kysely's `begin` is held back and sent in the same
 * simple-protocol message as the transaction's first statement when that statement has no parameters.
 * The engine makes its first statement (locking the root row) parameterless on purpose.
 *
 * "Lazy COMMIT", the same at the other end: a statement marked `WITH_COMMIT` is held back and sent in one
 * simple-protocol message with the COMMIT that follows (`…; commit`), or on its own before any other
 * statement. A command thus costs two round trips (BEGIN+lock, write+COMMIT) instead of four. Every round
 * trip to a PostgreSQL on the same machine is also a context switch to the server process and back.
 * When the write fails, PostgreSQL skips the COMMIT and the transaction block stays open and failed (a probe
 * statement then fails with 25P02): that error is marked `failedBeforeCommit`. An error of the COMMIT itself
 * (or a lost connection) is not.
 * An empty transaction sends nothing.
 */
function lazyBeginPool(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    connect: async () => {
      const client = await pool.connect();
      let wrapper = wrapped.get(client);
      if (!wrapper) {
        wrapper = lazyBeginClient(client);
        wrapped.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

function lazyBeginClient(client: pg.PoolClient): PostgresPoolClient {
  let pendingBegin = false;
  let pendingWrite: { text: string; values: readonly unknown[] } | undefined;
  const empty = (command: string): QueryResultLike => ({ command, rowCount: null, rows: [] });
  const send = async (text: string, values?: readonly unknown[]): Promise<QueryResultLike> => {
    if (pendingBegin) {
      pendingBegin = false;
      if (!values || values.length === 0) {
        const results = (await client.query(`begin; ${text}`)) as unknown as QueryResultLike | QueryResultLike[];
        return Array.isArray(results) ? results[results.length - 1] : results;
      }
      await client.query('begin');
    }
    return (await client.query(text, values as unknown[])) as unknown as QueryResultLike;
  };
  const sendPendingWrite = async (): Promise<void> => {
    const write = pendingWrite;
    pendingWrite = undefined;
    if (write) await send(write.text, write.values);
  };
  const commitWith = async (write: { text: string; values: readonly unknown[] }): Promise<QueryResultLike> => {
    const inlined = inlineParameters(write.text, write.values);
    if (inlined === undefined) {
      await send(write.text, write.values);
      return send('commit');
    }
    try {
      await send(`${inlined}; commit`);
    } catch (error) {
      // still in the (now failed) transaction block: the write failed and PostgreSQL skipped the COMMIT;
      // only on this path, so it costs nothing otherwise (a lost connection fails the probe differently)
      const aborted = await client.query('SELECT 1').then(
        () => false,
        (probe: unknown) => (probe as { code?: string }).code === '25P02',
      );
      if (aborted && typeof error === 'object' && error !== null) notCommitted.add(error);
      throw error;
    }
    return empty('COMMIT');
  };
  const query = async (text: string, values?: unknown[]): Promise<QueryResultLike> => {
    if (text === 'begin') {
      pendingBegin = true;
      return empty('BEGIN');
    }
    if (text === 'rollback') pendingWrite = undefined;
    if (text === 'commit' && pendingWrite) {
      const write = pendingWrite;
      pendingWrite = undefined;
      return commitWith(write);
    }
    if (pendingBegin && (text === 'commit' || text === 'rollback')) {
      pendingBegin = false;
      return empty(text.toUpperCase());
    }
    await sendPendingWrite();
    if (text.startsWith(WITH_COMMIT)) {
      pendingWrite = { text, values: values ?? [] };
      return empty('SELECT');
    }
    return send(text, values);
  };
  return {
    query: query as PostgresPoolClient['query'],
    release: () => {
      pendingBegin = false;
      pendingWrite = undefined;
      client.release();
    },
  };
}

/** jsonb parameter: always JSON text (see the module comment). */
export const json = (value: unknown): string => JSON.stringify(value ?? null);
