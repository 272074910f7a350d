import { sql } from 'kysely';
import { createDatabase, type Db } from '../../../engine/src/store/database.js';
import { migrateToLatest, migrateToNone } from '../../../engine/src/store/migrator.js';
import { createFreshDatabase, dropDatabase } from './support.js';

async function tableNames(db: Db): Promise<string[]> {
  const result = await sql<{
    table_name: string;
  }>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(
    db,
  );
  return result.rows.map((row) => row.table_name);
}

describe('migrations', () => {
  it('should migrate up, down and up again on PostgreSQL', async () => {
    // given
    const url = await createFreshDatabase('migrations');
    const { db } = await createDatabase({ databaseUrl: url, dataDir: '' });
    try {
      // when
      await migrateToLatest(db);
      const afterUp = await tableNames(db);
      await sql`SELECT nextval('engine_key_block')`.execute(db);
      await migrateToNone(db);
      const afterDown = await tableNames(db);
      await migrateToLatest(db);

      // then
      expect(afterUp).toEqual(
        expect.arrayContaining(['process_instance', 'job', 'timer', 'history', 'user_task', 'incident', 'message']),
      );
      expect(afterDown).toEqual([]);
      expect(await tableNames(db)).toEqual(afterUp);
    } finally {
      await db.destroy();
      await dropDatabase(url);
    }
  });

  it('should run the same migrations on embedded PGlite', async () => {
    // given
    const { db } = await createDatabase({ dataDir: 'memory://' });
    try {
      // when
      await migrateToLatest(db);
      const afterUp = await tableNames(db);
      await migrateToNone(db);
      await migrateToLatest(db);

      // then
      expect(afterUp).toContain('process_instance');
      expect(await tableNames(db)).toEqual(afterUp);
    } finally {
      await db.destroy();
    }
  });
});
