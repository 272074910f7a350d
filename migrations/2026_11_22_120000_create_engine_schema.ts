/**
 * The engine's system of record: definitions, instances (with the root's state document), the projections
 * the runtime's records feed (jobs, timers, subscriptions, user tasks, incidents), buffered messages, the
 * event outbox and the hash-chained history. Keys are bigint here and decimal strings in TypeScript.
 * Every table carries tenant_id (row-level tenancy).
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // one nextval reserves a block of 1000 keys (key .. key + 999) for one engine process
  await sql`CREATE SEQUENCE engine_key_block START WITH 1000 INCREMENT BY 1000`.execute(db);

  await db.schema
    .createTable('deployment')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('resources', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('process_definition')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('version_tag', 'text')
    .addColumn('name', 'text')
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('bpmn_xml', 'text', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('deployment_key', 'bigint', (c) => c.notNull().references('deployment.key'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('process_definition_version_unique', ['tenant_id', 'bpmn_process_id', 'version'])
    .execute();

  await db.schema
    .createTable('form')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('form_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('schema', 'jsonb', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('deployment_key', 'bigint', (c) => c.notNull().references('deployment.key'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('form_version_unique', ['tenant_id', 'form_id', 'version'])
    .execute();

  // message / signal start events of the latest version of each process
  await db.schema
    .createTable('start_event_subscription')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('event_kind', 'text', (c) => c.notNull()) // MESSAGE | SIGNAL
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('process_definition_key', 'bigint', (c) => c.notNull())
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('element_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('start_event_subscription_pk', ['process_definition_key', 'element_id'])
    .execute();
  await db.schema
    .createIndex('start_event_subscription_name')
    .on('start_event_subscription')
    .columns(['tenant_id', 'event_kind', 'event_name'])
    .execute();

  await db.schema
    .createTable('process_instance')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('root_key', 'bigint', (c) => c.notNull())
    .addColumn('parent_key', 'bigint') // the calling process instance
    .addColumn('parent_element_instance_key', 'bigint') // the call activity instance
    .addColumn('process_definition_key', 'bigint', (c) => c.notNull())
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull()) // ACTIVE | COMPLETED | TERMINATED
    .addColumn('business_key', 'text')
    .addColumn('has_incident', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('start_date', 'timestamptz', (c) => c.notNull())
    .addColumn('end_date', 'timestamptz')
    // root rows only: the runtime's state document, its version and the head of the history chain
    .addColumn('state_doc', 'jsonb')
    .addColumn('doc_version', 'integer')
    .addColumn('history_seq', 'integer')
    .addColumn('last_hash', 'text')
    .execute();
  await db.schema.createIndex('process_instance_root').on('process_instance').column('root_key').execute();
  await db.schema
    .createIndex('process_instance_search')
    .on('process_instance')
    .columns(['tenant_id', 'bpmn_process_id', 'state'])
    .execute();
  await db.schema
    .createIndex('process_instance_business_key')
    .on('process_instance')
    .columns(['tenant_id', 'business_key'])
    .execute();

  // the job outbox: the in-process runner and the BullMQ dispatcher read it
  await db.schema
    .createTable('job')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('root_key', 'bigint', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('element_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('element_id', 'text', (c) => c.notNull())
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('process_definition_key', 'bigint', (c) => c.notNull())
    .addColumn('retries', 'integer', (c) => c.notNull())
    .addColumn('custom_headers', 'jsonb', (c) => c.notNull())
    .addColumn('retry_at', 'timestamptz')
    .addColumn('deadline', 'timestamptz') // lease end while activated
    .addColumn('worker', 'text')
    .addColumn('error_message', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('job_activatable')
    .on('job')
    .columns(['type', 'created_at'])
    .where(sql.ref('retries'), '>', 0)
    .execute();
  await db.schema.createIndex('job_root').on('job').column('root_key').execute();

  // root_key null: a timer start event of process_definition_key
  await db.schema
    .createTable('timer')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('root_key', 'bigint')
    .addColumn('process_instance_key', 'bigint')
    .addColumn('element_instance_key', 'bigint')
    .addColumn('process_definition_key', 'bigint')
    .addColumn('element_id', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('repetitions', 'integer', (c) => c.notNull())
    .addColumn('interval', 'text')
    .execute();
  await db.schema.createIndex('timer_due').on('timer').column('due_at').execute();

  await db.schema
    .createTable('message_subscription')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('root_key', 'bigint', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('element_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('element_id', 'text', (c) => c.notNull())
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('message_name', 'text', (c) => c.notNull())
    .addColumn('correlation_key', 'text', (c) => c.notNull())
    .addColumn('interrupting', 'boolean', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('message_subscription_name')
    .on('message_subscription')
    .columns(['tenant_id', 'message_name', 'correlation_key'])
    .execute();

  // buffered (published, not yet expired) messages
  await db.schema
    .createTable('message')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('correlation_key', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('variables', 'jsonb', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_name').on('message').columns(['tenant_id', 'name', 'correlation_key']).execute();
  await db.schema.createIndex('message_expiry').on('message').column('expires_at').execute();
  await db.schema
    .createIndex('message_id_unique')
    .unique()
    .on('message')
    .columns(['tenant_id', 'name', 'message_id'])
    .where(sql.ref('message_id'), 'is not', null)
    .execute();

  // a buffered message correlates at most once per process instance (target 'pi:<key>') and per process ('process:<id>')
  await db.schema
    .createTable('message_correlation')
    .addColumn('message_key', 'bigint', (c) => c.notNull().references('message.key').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_correlation_pk', ['message_key', 'target'])
    .execute();

  await db.schema
    .createTable('signal_subscription')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('root_key', 'bigint', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('element_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('element_id', 'text', (c) => c.notNull())
    .addColumn('signal_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('signal_subscription_name')
    .on('signal_subscription')
    .columns(['tenant_id', 'signal_name'])
    .execute();

  await db.schema
    .createTable('user_task')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('root_key', 'bigint', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('element_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('element_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('process_definition_key', 'bigint', (c) => c.notNull())
    .addColumn('assignee', 'text')
    .addColumn('candidate_groups', sql`text[]`, (c) => c.notNull())
    .addColumn('candidate_users', sql`text[]`, (c) => c.notNull())
    .addColumn('due_date', 'timestamptz')
    .addColumn('follow_up_date', 'timestamptz')
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('form_key', 'text')
    .addColumn('form_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull()) // CREATED | COMPLETED | CANCELED
    .addColumn('creation_date', 'timestamptz', (c) => c.notNull())
    .addColumn('completion_date', 'timestamptz')
    .execute();
  await db.schema.createIndex('user_task_open').on('user_task').columns(['tenant_id', 'state', 'assignee']).execute();
  await db.schema.createIndex('user_task_instance').on('user_task').column('process_instance_key').execute();

  await db.schema
    .createTable('incident')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('root_key', 'bigint', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('element_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('element_id', 'text', (c) => c.notNull())
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('process_definition_key', 'bigint', (c) => c.notNull())
    .addColumn('error_type', 'text', (c) => c.notNull())
    .addColumn('error_message', 'text', (c) => c.notNull())
    .addColumn('job_key', 'bigint')
    .addColumn('state', 'text', (c) => c.notNull()) // ACTIVE | RESOLVED
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('incident_open').on('incident').columns(['tenant_id', 'state']).execute();
  await db.schema.createIndex('incident_instance').on('incident').column('process_instance_key').execute();

  // append-only, hash-chained history per root instance
  await db.schema
    .createTable('history')
    .addColumn('root_key', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('record_key', 'text', (c) => c.notNull())
    .addColumn('value_type', 'text', (c) => c.notNull())
    .addColumn('intent', 'text', (c) => c.notNull())
    .addColumn('element_id', 'text')
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('history_pk', ['root_key', 'seq'])
    .execute();

  // signals and messages thrown by processes, delivered to other instances after the throwing command committed
  await db.schema
    .createTable('event_outbox')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('event_kind', 'text', (c) => c.notNull()) // SIGNAL | MESSAGE
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('correlation_key', 'text')
    .addColumn('variables', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // human case numbers (2026-000123): one sequence per tenant and year, created on first use
  await db.schema
    .createTable('case_number_sequence')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('sequence_name', 'text', (c) => c.notNull().unique())
    .addPrimaryKeyConstraint('case_number_sequence_pk', ['tenant_id', 'year'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const sequences = await db.selectFrom('case_number_sequence').select('sequence_name').execute();
  for (const { sequence_name } of sequences) await sql`DROP SEQUENCE IF EXISTS ${sql.id(sequence_name)}`.execute(db);
  for (const table of [
    'case_number_sequence',
    'event_outbox',
    'history',
    'incident',
    'user_task',
    'signal_subscription',
    'message_correlation',
    'message',
    'message_subscription',
    'timer',
    'job',
    'process_instance',
    'start_event_subscription',
    'form',
    'process_definition',
    'deployment',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`DROP SEQUENCE engine_key_block`.execute(db);
}
