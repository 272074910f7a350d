/**
 * The administrators' directory (issue #5): a tenant's organisational units and the staff members the
 * platform has seen. People sign in through the municipality's identity provider (OIDC), which owns
 * accounts, passwords and group membership; the platform keeps only what it needs beside that:
 *
 * - `org_unit`: one row per organisational unit; `unit_id` is the group name the IdP puts into the token's
 *   `groups` claim and BPMN models use as candidate group, with a display name, a parent unit and a contact
 *   mailbox (functional mailbox for citizens and notifications).
 * - `staff_member`: who called the API, with the name, roles and groups of their last token and when they
 *   were last seen (written at most every few minutes per person, not on every request).
 *
 * Row-level security as in migration 180000. Frozen in time: uses Kysely<any> and imports nothing from the
 * application.
 */
import { sql, type Kysely } from 'kysely';

const ROLE = 'prozessplattform_tenant';
const TABLES = ['org_unit', 'staff_member'];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('org_unit')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('mailbox', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_unit_pkey', ['tenant_id', 'unit_id'])
    .addForeignKeyConstraint('org_unit_parent', ['tenant_id', 'parent_id'], 'org_unit', ['tenant_id', 'unit_id'])
    .execute();
  await db.schema
    .createTable('staff_member')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('roles', 'jsonb', (c) => c.notNull())
    .addColumn('groups', 'jsonb', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('staff_member_pkey', ['tenant_id', 'user_id'])
    .execute();
  for (const table of TABLES) {
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
  await db.schema.dropTable('staff_member').execute();
  await db.schema.dropTable('org_unit').execute();
}
