/**
 * The process designer's store (issue #5): per tenant and BPMN process id one working copy (`process_draft`:
 * BPMN XML and its forms, who changed it last, its state), and the log of what was deployed from it
 * (`process_release`: which engine process definition, by whom, when — the engine knows what, not who).
 * `state` grows with the release workflow of issue #7: draft → in_review → released → withdrawn.
 * Row-level security as in migration 180000.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

const ROLE = 'prozessplattform_tenant';

async function protect(db: Kysely<any>, table: string): Promise<void> {
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

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('process_draft')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('bpmn_xml', 'text', (c) => c.notNull())
    // [{ formId, schema }] — the form-js forms deployed beside the BPMN
    .addColumn('forms', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('draft', 'in_review', 'released', 'withdrawn')`))
    // optimistic concurrency: a save names the revision it started from
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('process_draft_pkey', ['tenant_id', 'bpmn_process_id'])
    .execute();
  await db.schema
    .createTable('process_release')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('process_definition_key', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('deployed_by', 'text', (c) => c.notNull())
    .addColumn('deployed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('process_release_pkey', ['tenant_id', 'process_definition_key'])
    .execute();
  await db.schema
    .createIndex('process_release_by_process')
    .on('process_release')
    .columns(['tenant_id', 'bpmn_process_id', 'version'])
    .execute();
  await protect(db, 'process_draft');
  await protect(db, 'process_release');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('process_release').execute();
  await db.schema.dropTable('process_draft').execute();
}
