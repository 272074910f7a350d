/**
 * Counting a tenant's cases by state (the total of every case search, up to 10,000) from a two-column
 * index: PostgreSQL deduplicates its entries, so 10,000 matches are 13 index pages instead of 112 in
 * `process_instance_tenant_state`, which stays for the page itself (key order). Measured with a million
 * cases across 50 tenants (`npm run bench`): the count under row-level security went from 3.8 ms to 1.0 ms.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('process_instance_tenant_state_count')
    .on('process_instance')
    .columns(['tenant_id', 'state'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('process_instance_tenant_state_count').execute();
}
