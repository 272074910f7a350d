/**
 * A signal thrown by a process reaches that process's own subscriptions at once (inside the command); the
 * outbox must not deliver it there a second time, so it remembers the root instance it came from.
 * Frozen in time: uses Kysely<any> and imports nothing from the application.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('event_outbox').addColumn('origin_root_key', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('event_outbox').dropColumn('origin_root_key').execute();
}
