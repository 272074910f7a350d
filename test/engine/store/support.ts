/**
 * Test support for store and service tests: a fresh PostgreSQL database per test file (dropped at the
 * end), migrated to the latest version. PostgreSQL runs on 127.0.0.1:5432 (trust auth).
 */
import pg from 'pg';
import { createDatabase, type Db } from '../../../engine/src/store/database.js';
import { migrateToLatest } from '../../../engine/src/store/migrator.js';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database named after the test file (plus the process id, so parallel runs never collide). */
export async function createFreshDatabase(label: string): Promise<string> {
  const name = `pp_${label}_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
  return databaseUrl(name);
}

/** A database that outlives the run (e.g. the API benchmark's seeded cases); created when missing. */
export async function keptDatabase(name: string): Promise<string> {
  await admin(async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  });
  return databaseUrl(name);
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** A migrated kysely instance on a fresh database; call `close()` in afterAll. */
export async function migratedDatabase(label: string): Promise<{ db: Db; url: string; close: () => Promise<void> }> {
  const url = await createFreshDatabase(label);
  const { db } = await createDatabase({ databaseUrl: url, dataDir: '' });
  await migrateToLatest(db);
  return {
    db,
    url,
    close: async () => {
      await db.destroy();
      await dropDatabase(url);
    },
  };
}
