/**
 * Runs the kysely migrations in `migrations/` (date-prefixed TypeScript files, each exporting up/down).
 * The provider imports the files itself, so it works under tsx and under jest's ESM loader alike.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

const MIGRATION_FILE = /^\d{4}_\d{2}_\d{2}_\d{6}_[a-z0-9_]+\.(ts|js)$/;

export class TypeScriptMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string = MIGRATIONS_DIR) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.folder))
      .filter((file) => MIGRATION_FILE.test(file) && !file.endsWith('.d.ts'))
      .sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const module = (await import(pathToFileURL(path.join(this.folder, file)).href)) as Partial<Migration>;
      if (typeof module.up !== 'function')
        throw new Error(`Expected migration ${file} to export up(), but it does not.`);
      migrations[file.replace(/\.(ts|js)$/, '')] = { up: module.up, ...(module.down ? { down: module.down } : {}) };
    }
    return migrations;
  }
}

export function createMigrator(db: Kysely<any>, folder?: string): Migrator {
  return new Migrator({ db, provider: new TypeScriptMigrationProvider(folder) });
}

function unwrap(result: MigrationResultSet, what: string): MigrationResultSet {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(
      `Expected ${what} to succeed, but ${failed ? `migration ${failed.migrationName}` : 'it'} failed: ${cause}`,
      { cause: result.error },
    );
  }
  return result;
}

export async function migrateToLatest(db: Kysely<any>, folder?: string): Promise<MigrationResultSet> {
  return unwrap(await createMigrator(db, folder).migrateToLatest(), 'migrating to the latest version');
}

export async function migrateDown(db: Kysely<any>, folder?: string): Promise<MigrationResultSet> {
  return unwrap(await createMigrator(db, folder).migrateDown(), 'migrating one step down');
}

/** Rolls back every migration (for tests and for `npm run migrate -- reset`). */
export async function migrateToNone(db: Kysely<any>, folder?: string): Promise<MigrationResultSet> {
  const { NO_MIGRATIONS } = await import('kysely');
  return unwrap(await createMigrator(db, folder).migrateTo(NO_MIGRATIONS), 'rolling back all migrations');
}
