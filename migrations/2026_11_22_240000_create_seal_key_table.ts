/**
 * The tenant's seal key for the embedded default of signature/seal (workers issue #3): an X.509
 * certificate with its PKCS#8 private key, generated on first use when no remote signing service is
 * configured. Production installations use a signing service (HSM) instead and leave this table empty.
 * Row-level security as in migration 180000.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

const ROLE = 'prozessplattform_tenant';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('seal_key')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('certificate', 'bytea', (c) => c.notNull())
    .addColumn('private_key', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON seal_key TO ${ROLE}`).execute(db);
  await sql.raw(`ALTER TABLE seal_key ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql
    .raw(
      `CREATE POLICY tenant_isolation ON seal_key TO ${ROLE}
         USING (tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))
         WITH CHECK (tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('seal_key').execute();
}
