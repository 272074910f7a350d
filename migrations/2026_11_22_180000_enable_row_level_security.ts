/**
 * Row-level security as the second wall of tenant isolation (the first is the tenant condition every
 * query carries in code). Tenant-scoped work (every API call on behalf of a user) runs its transaction as
 * the role `prozessplattform_tenant` with `app.tenant_ids` set to the caller's tenants; the policies let
 * that role see and write only those tenants' rows, and nothing at all when the setting is missing.
 * System work (scheduler, job runner, migrations) runs as the connecting user, which owns the tables and
 * is therefore not subject to the policies.
 *
 * Tables added later must enable RLS and create the same policy in their own migration; a test checks
 * that every table with a tenant_id column has it.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

const ROLE = 'prozessplattform_tenant';

const TENANT_TABLES = [
  'deployment',
  'process_definition',
  'form',
  'start_event_subscription',
  'process_instance',
  'job',
  'timer',
  'message_subscription',
  'message',
  'message_correlation',
  'signal_subscription',
  'user_task',
  'incident',
  'history',
  'event_outbox',
  'case_number_sequence',
  'variable',
  'service',
  'application',
  'document',
  'mailbox_message',
];

export async function up(db: Kysely<any>): Promise<void> {
  // roles are shared by all databases of the cluster: another database may have created it already
  await sql
    .raw(
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}') THEN
           BEGIN CREATE ROLE ${ROLE} NOLOGIN;
           EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
         END IF;
         IF NOT pg_has_role(current_user, '${ROLE}', 'MEMBER') THEN
           EXECUTE format('GRANT ${ROLE} TO %I', current_user);
         END IF;
       END $$`,
    )
    .execute(db);
  // case number sequences are created on first use, possibly inside a tenant-scoped transaction
  await sql.raw(`GRANT USAGE, CREATE ON SCHEMA public TO ${ROLE}`).execute(db);
  await sql.raw(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${ROLE}`).execute(db);
  await sql
    .raw(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${ROLE}`)
    .execute(db);
  for (const table of TENANT_TABLES) {
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
  for (const table of TENANT_TABLES) {
    await sql.raw(`DROP POLICY tenant_isolation ON ${table}`).execute(db);
    await sql.raw(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`).execute(db);
    await sql.raw(`REVOKE ALL ON ${table} FROM ${ROLE}`).execute(db);
  }
  await sql
    .raw(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM ${ROLE}`)
    .execute(db);
  await sql.raw(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${ROLE}`).execute(db);
  await sql.raw(`REVOKE ALL ON SCHEMA public FROM ${ROLE}`).execute(db);
  // the role itself stays: other databases of the cluster may use it
}
