/**
 * Reuse across municipalities (issue #7): the release workflow and local parameters on the designer's
 * working copy (`process_draft`: declared parameters, this tenant's values, the open review, the package
 * it was taken over from), the review log (`process_comment`), what each release was made of
 * (`process_release.snapshot`, the source of the signed package), the tenants' package signing keys
 * (`package_signing_key`, private, per tenant) and the installation-wide catalogue and key directory
 * (`catalogue_package`, `package_signer`: every tenant reads them; their column is `origin_tenant_id`).
 * Row-level security as in migration 180000 on every table with a `tenant_id`.
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

/** Readable by every tenant; a row is written only by its origin tenant. */
async function shareInstallationWide(db: Kysely<any>, table: string): Promise<void> {
  await sql.raw(`GRANT SELECT, INSERT ON ${table} TO ${ROLE}`).execute(db);
  await sql.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql.raw(`CREATE POLICY read_all ON ${table} FOR SELECT TO ${ROLE} USING (true)`).execute(db);
  await sql
    .raw(
      `CREATE POLICY origin_writes ON ${table} FOR INSERT TO ${ROLE}
         WITH CHECK (origin_tenant_id = ANY (string_to_array(current_setting('app.tenant_ids', true), ',')))`,
    )
    .execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('process_draft')
    // [{ name, type, title: { de, en }, description?, required, default? }]
    .addColumn('parameters', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('parameter_values', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // { submittedBy, submittedAt, submittedRevision } while in review
    .addColumn('review', 'jsonb')
    // { packageId, version, originTenantId, signer, verified, importedAt } when taken over from a package
    .addColumn('upstream', 'jsonb')
    // set by a withdrawal, cleared by the next release: no applications in between, whatever is edited
    .addColumn('withdrawn_at', 'timestamptz')
    .execute();
  await db.schema
    .alterTable('process_release')
    // { name, bpmnXml, forms, parameters, authors }: the working copy as released, before the values went in
    .addColumn('snapshot', 'jsonb')
    .execute();
  await db.schema
    .createTable('process_comment')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('bpmn_process_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .check(sql`kind IN ('comment', 'submitted', 'approved', 'rejected', 'withdrawn', 'imported', 'updated')`),
    )
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('element_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('process_comment_by_process')
    .on('process_comment')
    .columns(['tenant_id', 'bpmn_process_id', 'id'])
    .execute();
  await sql`GRANT USAGE ON SEQUENCE process_comment_id_seq TO ${sql.raw(ROLE)}`.execute(db);
  await db.schema
    .createTable('package_signing_key')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('kid', 'text', (c) => c.notNull().unique())
    .addColumn('private_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('package_signer')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('origin_tenant_id', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('catalogue_package')
    .addColumn('package_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('origin_tenant_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('leika_key', 'text')
    .addColumn('changelog', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull())
    .addColumn('package', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('catalogue_package_pkey', ['package_id', 'version'])
    .execute();
  await protect(db, 'process_comment');
  await protect(db, 'package_signing_key');
  await shareInstallationWide(db, 'package_signer');
  await shareInstallationWide(db, 'catalogue_package');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('catalogue_package').execute();
  await db.schema.dropTable('package_signer').execute();
  await db.schema.dropTable('package_signing_key').execute();
  await db.schema.dropTable('process_comment').execute();
  await db.schema.alterTable('process_release').dropColumn('snapshot').execute();
  await db.schema
    .alterTable('process_draft')
    .dropColumn('withdrawn_at')
    .dropColumn('upstream')
    .dropColumn('review')
    .dropColumn('parameter_values')
    .dropColumn('parameters')
    .execute();
}
