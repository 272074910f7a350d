/**
 * Variables as a query table (fed by the runtime's VARIABLE records): one row per scope and name, kept
 * after the instance ends, so cases can be searched by variable (`/v2/variables/search`, process instance
 * filters). The value is stored as the JSON text the runtime produced; equality lookups go through an
 * md5 expression index, because a B-tree cannot index arbitrarily long values.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('variable')
    .addColumn('key', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('root_key', 'bigint', (c) => c.notNull())
    .addColumn('process_instance_key', 'bigint', (c) => c.notNull())
    .addColumn('scope_key', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('variable_scope_name_unique', ['scope_key', 'name'])
    .execute();
  await db.schema.createIndex('variable_instance').on('variable').column('process_instance_key').execute();
  await sql`CREATE INDEX variable_name_value ON variable (tenant_id, name, md5(value))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('variable').execute();
}
