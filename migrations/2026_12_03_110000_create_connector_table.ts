/**
 * Per-tenant connector settings (workers issue #3, follow-up): each municipality has its own e-payment
 * account (pmPayment ags / ePayBL originator and endpoint) and often its own FIT-Connect sender client.
 * One row per tenant and kind; `settings` holds what may be shown (URLs, ids), `secret` the one value that
 * must not be (payment HMAC secret or API key, FIT-Connect client secret), encrypted by the application
 * (AES-256-GCM under SECRETS_KEY, `v1:` prefix). A tenant without a row uses the installation's settings
 * from the environment. Row-level security as in migration 180000.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

const ROLE = 'prozessplattform_tenant';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('connector')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('payment', 'fit-connect')`))
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('secret', 'text') // null: not entered yet (the connector is unusable until it is)
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('connector_pkey', ['tenant_id', 'kind'])
    .execute();
  await sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON connector TO ${ROLE}`).execute(db);
  await sql.raw(`ALTER TABLE connector ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql
    .raw(
      `CREATE POLICY tenant_isolation ON connector TO ${ROLE}
         USING (tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))
         WITH CHECK (tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('connector').execute();
}
