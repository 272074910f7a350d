/**
 * The platform's own tables beside the engine's: services (Leistungen) a tenant offers, citizens'
 * applications, documents (attachments, stored in the database as the system of record) and the citizen
 * mailbox (Postfach).
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('service')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('leika_key', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('form_id', 'text', (c) => c.notNull())
    .addColumn('form_key', 'bigint', (c) => c.notNull())
    .addColumn('data_schema', 'jsonb', (c) => c.notNull())
    .addColumn('trust_level', 'text', (c) => c.notNull()) // niedrig | substanziell | hoch
    .addColumn('fee_hint', 'text')
    .addColumn('published', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('service_pk', ['tenant_id', 'service_id'])
    .execute();

  await db.schema
    .createTable('application')
    .addColumn('process_instance_key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('business_key', 'text', (c) => c.notNull())
    .addColumn('applicant_id', 'text', (c) => c.notNull())
    .addColumn('trust_level', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('application_applicant')
    .on('application')
    .columns(['applicant_id', 'submitted_at'])
    .execute();

  await db.schema
    .createTable('document')
    .addColumn('key', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    // null until the document is attached to a case (an upload before the application is submitted)
    .addColumn('process_instance_key', 'bigint')
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('document_instance').on('document').column('process_instance_key').execute();

  await db.schema
    .createTable('mailbox_message')
    .addColumn('key', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('applicant_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull()) // TO_APPLICANT | FROM_APPLICANT
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('document_keys', sql`text[]`, (c) => c.notNull())
    .addColumn('in_reply_to', 'bigint')
    // a message to the applicant that expects an answer: the BPMN message the reply is correlated as
    .addColumn('reply_message_name', 'text')
    .addColumn('replied_at', 'timestamptz')
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mailbox_instance').on('mailbox_message').column('process_instance_key').execute();
  await db.schema.createIndex('mailbox_applicant').on('mailbox_message').columns(['applicant_id', 'key']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['mailbox_message', 'document', 'application', 'service'])
    await db.schema.dropTable(table).execute();
}
