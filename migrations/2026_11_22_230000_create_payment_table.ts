/**
 * E-payment (workers issue #3): one row per payment request a payment job made, keyed by the job (a
 * retried job continues its payment instead of requesting a second), found by the provider's transaction
 * id when the provider notifies. `items` holds the booking data (Haushaltsstelle, Objektnummer, amount in
 * cents) the daily booking export for the municipal accounting (HKR) is made of. Row-level security as in
 * migration 180000.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

const ROLE = 'prozessplattform_tenant';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment')
    .addColumn('job_key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull()) // the case number (Kassenzeichen)
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'integer', (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('items', 'jsonb', (c) => c.notNull())
    .addColumn('payment_url', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('OPEN', 'PAID', 'FAILED', 'CANCELED')`))
    .addColumn('payment_method', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('paid_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('payment_transaction')
    .on('payment')
    .columns(['provider', 'transaction_id'])
    .unique()
    .execute();
  await db.schema.createIndex('payment_paid').on('payment').columns(['tenant_id', 'paid_at']).execute();
  await sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON payment TO ${ROLE}`).execute(db);
  await sql.raw(`ALTER TABLE payment ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql
    .raw(
      `CREATE POLICY tenant_isolation ON payment TO ${ROLE}
         USING (tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))
         WITH CHECK (tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payment').execute();
}
