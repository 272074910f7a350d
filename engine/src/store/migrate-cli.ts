/**
 * `npm run migrate [-- up|down|reset]`: applies the migrations to DATABASE_URL, or to the embedded
 * database under DATA_DIR (default ./data) when no URL is set.
 */
import { createDatabase } from './database.js';
import { migrateDown, migrateToLatest, migrateToNone } from './migrator.js';

const command = process.argv[2] ?? 'up';
const { db } = await createDatabase({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: process.env.DATA_DIR ?? './data',
});
try {
  const run = command === 'down' ? migrateDown : command === 'reset' ? migrateToNone : migrateToLatest;
  const result = await run(db);
  for (const migration of result.results ?? [])
    console.log(`${migration.direction} ${migration.migrationName}: ${migration.status}`);
  if (!result.results?.length) console.log('Nothing to migrate.');
} finally {
  await db.destroy();
}
