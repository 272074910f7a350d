/**
 * Forwarding to the competent authority (workers issue #3):
 * - `authority`: a tenant's directory of authorities — which authority handles a service (LeiKa key, or
 *   every service when null) in a region (an ARS prefix of 2, 3, 5, 9 or 12 digits), and how it is reached:
 *   FIT-Connect (destination id, Submission API URL), a signed webhook (URL + shared secret) or another
 *   tenant of this installation.
 * - `delivery`: what a forwarding job did, keyed by the job, so a retried job continues the delivery it
 *   started instead of starting a second one; it is also the receipt (channel, ids, times).
 * Both carry the tenant and get the row-level-security policy of migration 180000.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

const ROLE = 'prozessplattform_tenant';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('authority')
    .addColumn('key', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('leika_key', 'text') // null: every service
    .addColumn('region_key', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel IN ('fit-connect', 'webhook', 'internal')`))
    .addColumn('endpoint', 'text')
    .addColumn('destination_id', 'text')
    .addColumn('target_tenant_id', 'text')
    .addColumn('secret', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('authority_region_key', sql`region_key ~ '^([0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{9}|[0-9]{12})$'`)
    .execute();
  await sql`CREATE UNIQUE INDEX authority_route ON authority (tenant_id, coalesce(leika_key, ''), region_key)`.execute(
    db,
  );

  await db.schema
    .createTable('delivery')
    .addColumn('job_key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('authority_name', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull()) // SUBMITTED | DELIVERED | ACCEPTED | REJECTED
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('submission_id', 'text')
    .addColumn('case_id', 'text')
    .addColumn('receipt', 'jsonb')
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('delivery_submission').on('delivery').column('submission_id').execute();

  for (const table of ['authority', 'delivery']) {
    await sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${ROLE}`).execute(db);
    await sql.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`).execute(db);
    await sql
      .raw(
        `CREATE POLICY tenant_isolation ON ${table} TO ${ROLE}
           USING (tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))
           WITH CHECK (tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))`,
      )
      .execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('delivery').execute();
  await db.schema.dropTable('authority').execute();
}
