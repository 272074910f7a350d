/**
 * Notifications (e-mail to applicants and clerks, workers issue #3), recorded by job: a retried job whose
 * mail already went out completes with the record instead of mailing twice. Row-level security as in
 * migration 180000.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

const ROLE = 'prozessplattform_tenant';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification')
    .addColumn('job_key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('recipients', sql`text[]`, (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notification_instance').on('notification').column('process_instance_key').execute();
  await sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON notification TO ${ROLE}`).execute(db);
  await sql.raw(`ALTER TABLE notification ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql
    .raw(
      `CREATE POLICY tenant_isolation ON notification TO ${ROLE}
         USING (tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))
         WITH CHECK (tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification').execute();
}
