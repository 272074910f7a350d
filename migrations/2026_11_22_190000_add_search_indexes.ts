/**
 * Indexes for the searches clerks run all day, measured with a million cases across 50 tenants
 * (`npm run bench`): a tenant's cases by state in key order (reads 50 rows instead of every case of the
 * tenant, and counts from the index alone), and a tenant's open tasks by due date with the columns the
 * clerk's visibility filter needs included, so counting and filtering never touch the table.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('process_instance_tenant_state')
    .on('process_instance')
    .columns(['tenant_id', 'state', 'key'])
    .execute();
  await sql`CREATE INDEX user_task_tenant_state_due ON user_task (tenant_id, state, due_date, key)
    INCLUDE (assignee, candidate_groups, candidate_users)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('user_task_tenant_state_due').execute();
  await db.schema.dropIndex('process_instance_tenant_state').execute();
}
