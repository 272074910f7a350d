/**
 * Imports (issue #7): the tenant's code lists and the record of every import.
 *
 * - `code_list`: genericode 1.0 code lists the administrator uploaded, one row per canonical URI and version
 *   (a list's rows as JSON: columns, keys and rows as genericode declares them). XDatenfelder 2.0 fields
 *   reference them by URN; the importer resolves the references from here.
 * - `import_record`: what was imported by whom (kind, file, the draft or form it produced) with the import
 *   report, so the administrator sees past imports and their reports again.
 *
 * Row-level security as in migration 180000. Frozen in time: uses Kysely<any> and imports nothing from the
 * application.
 */
import { sql, type Kysely } from 'kysely';

const ROLE = 'prozessplattform_tenant';
const TABLES = ['code_list', 'import_record'];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('code_list')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('canonical_uri', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('canonical_version_uri', 'text')
    .addColumn('short_name', 'text', (c) => c.notNull())
    // { columns: [..], keys: { keyId: columnId }, rows: [{ column: value }] }
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('entries', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('code_list_pkey', ['tenant_id', 'id'])
    .addUniqueConstraint('code_list_by_uri', ['tenant_id', 'canonical_uri', 'version'])
    .execute();
  await db.schema
    .createIndex('code_list_by_version_uri')
    .on('code_list')
    .columns(['tenant_id', 'canonical_version_uri'])
    .execute();
  await db.schema
    .createTable('import_record')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('xdatenfelder', 'xprozess', 'camunda7', 'bpmn')`))
    .addColumn('file_name', 'text')
    .addColumn('bpmn_process_id', 'text')
    .addColumn('form_id', 'text')
    .addColumn('leika_key', 'text')
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('mapped', 'integer', (c) => c.notNull())
    .addColumn('reported', 'integer', (c) => c.notNull())
    // the report items and, for XDatenfelder, the imported JSON Schema and form
    .addColumn('result', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_record_pkey', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('import_record_by_time')
    .on('import_record')
    .columns(['tenant_id', 'created_at'])
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
  await db.schema.dropTable('import_record').execute();
  await db.schema.dropTable('code_list').execute();
}
